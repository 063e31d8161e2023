package trailgen

import (
	"slices"
	"strings"
	"time"
)

// A dayGen makes the cast's activity in one account on one day: the
// story a reviewer recognises (vendor sessions, CI runs, administrators,
// a leaked key). Events come in groups; a group is kept or dropped as a
// whole, so an AssumeRole is never cut from the calls its key made.
type dayGen struct {
	w     *world
	a     *account
	day   int
	start time.Time
	r     rng
	c     call

	groups [][]*event
	cur    []*event
	// base, when set, is the delivery delay of the current burst of
	// calls: records made together are mostly delivered together.
	base time.Duration
}

func newDayGen(w *world, a *account, day int) *dayGen {
	g := &dayGen{w: w, a: a, day: day, start: w.start.AddDate(0, 0, day)}
	g.r = newRNG(w.seed, hashString(a.id), uint64(day), 0x57)
	return g
}

// A session is who makes a run of calls, from where, with what client.
type session struct {
	id   *identity
	arn  string // caller ARN as error messages show it
	ip   string
	ua   string
	vpce string // calls to S3 and DynamoDB go through this endpoint
}

// recDelay is the delivery delay of the next record.
func (g *dayGen) recDelay() time.Duration {
	if g.base > 0 {
		return g.base + g.r.between(0, 25*time.Second)
	}
	return delay(g.r)
}

// burst starts a run of calls delivered together.
func (g *dayGen) burst() { g.base = delay(g.r) }

func (g *dayGen) flush() {
	g.base = 0
	if len(g.cur) > 0 {
		g.groups = append(g.groups, g.cur)
		g.cur = nil
	}
}

// emit adds e to the current group, delivered after delay.
func (g *dayGen) emit(e *event, delay time.Duration) *event {
	e.deliver = e.t.Add(delay)
	g.cur = append(g.cur, e)
	return e
}

// delay is how long CloudTrail takes to deliver a record: usually a few
// minutes, sometimes a quarter of an hour.
func delay(r rng) time.Duration {
	if r.IntN(12) == 0 {
		return r.between(5*time.Minute, 14*time.Minute)
	}
	return r.between(40*time.Second, 5*time.Minute)
}

// do renders the call api by s in region at t and emits it.
func (g *dayGen) do(s *session, region string, t time.Time, apiName string) *event {
	e := g.w.api(apiName).event(g.prepare(s, region, t))
	applySession(e, s)
	return g.emit(e, g.recDelay())
}

func (g *dayGen) prepare(s *session, region string, t time.Time) *call {
	c := &g.c
	c.r, c.acct, c.region, c.t = g.r, g.a, region, t
	c.id, c.arn, c.ip, c.ua = s.id, s.arn, s.ip, s.ua
	c.pinBucket, c.pinFunction, c.pinTable = nil, "", ""
	return c
}

func applySession(e *event, s *session) {
	if s.vpce != "" && (e.source == "s3.amazonaws.com" || e.source == "dynamodb.amazonaws.com") {
		e.vpce = s.vpce
	}
	if strings.HasPrefix(s.ua, "[") && e.source != "s3.amazonaws.com" {
		e.ua = strings.Trim(s.ua, "[]") // only S3 brackets its user agents
	} else if e.source == "s3.amazonaws.com" && s.ua != "" && !strings.HasPrefix(s.ua, "[") && !strings.Contains(s.ua, "amazonaws.com") && s.ua != "AWS Internal" {
		e.ua = "[" + s.ua + "]"
	}
}

// Errors. The codes and messages follow what each service writes.

func deny(e *event, arn, action string) *event {
	e.resp = nil
	on := ""
	if len(e.resources) > 0 {
		on = " on resource: " + e.resources[0].arn
	}
	msg := "User: " + arn + " is not authorized to perform: " + action + on + " because no identity-based policy allows the " + action + " action"
	switch e.source {
	case "ec2.amazonaws.com":
		e.errCode = "Client.UnauthorizedOperation"
		e.errMsg = "You are not authorized to perform this operation. " + msg + ". Encoded authorization failure message: " + encodedFailure(e)
	case "s3.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com", "organizations.amazonaws.com",
		"cloudformation.amazonaws.com", "rds.amazonaws.com", "monitoring.amazonaws.com", "sqs.amazonaws.com",
		"sns.amazonaws.com", "elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com", "cloudtrail.amazonaws.com":
		e.errCode = "AccessDenied"
		e.errMsg = msg
	default:
		e.errCode = "AccessDeniedException"
		e.errMsg = msg
	}
	return e
}

// encodedFailure is the opaque blob EC2 appends to its denials.
func encodedFailure(e *event) string {
	r := newRNG(hashString(e.name), uint64(e.t.Unix()))
	return r.chars(alnumChars+"-_", 180)
}

func throttle(e *event) *event {
	e.resp = nil
	switch e.source {
	case "ec2.amazonaws.com":
		e.errCode, e.errMsg = "Client.RequestLimitExceeded", "Request limit exceeded."
	case "s3.amazonaws.com":
		e.errCode, e.errMsg = "SlowDown", "Please reduce your request rate."
	case "dynamodb.amazonaws.com":
		e.errCode, e.errMsg = "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
	default:
		e.errCode, e.errMsg = "ThrottlingException", "Rate exceeded"
	}
	return e
}

func notFound(e *event) *event {
	e.resp = nil
	switch e.source {
	case "s3.amazonaws.com":
		e.errCode, e.errMsg = "NoSuchKey", "The specified key does not exist."
	case "secretsmanager.amazonaws.com":
		e.errCode, e.errMsg = "ResourceNotFoundException", "Secrets Manager can't find the specified secret."
	case "ssm.amazonaws.com":
		e.errCode, e.errMsg = "ParameterNotFound", ""
	case "iam.amazonaws.com":
		e.errCode, e.errMsg = "NoSuchEntityException", "The role with name deploy-legacy cannot be found."
	case "dynamodb.amazonaws.com":
		e.errCode, e.errMsg = "ResourceNotFoundException", "Requested resource not found"
	default:
		e.errCode, e.errMsg = "ResourceNotFoundException", "Resource not found"
	}
	return e
}

// STS. Each returns the event and the session it created.

// stsExpiration is how STS writes credentials.expiration.
const stsExpiration = "Jan 2, 2006, 3:04:05 PM"

func (g *dayGen) credentials(w *jsonw, key string, exp time.Time) {
	w.kobj("credentials")
	w.kstr("accessKeyId", key)
	w.kstr("sessionToken", "IQoJb3JpZ2luX2Vj"+g.r.b64(420))
	w.kstr("expiration", exp.Format(stsExpiration))
	w.endObj()
}

// newRoleSession starts a session of ro named name at t with a fresh
// temporary key.
func (g *dayGen) newRoleSession(ro *role, name string, t time.Time) *roleSession {
	return &roleSession{account: g.a.id, roleID: ro.id, roleName: ro.name, rolePath: ro.path, name: name,
		key: g.r.accessKey("ASIA", g.a.seg), attrs: sessionAttrs{created: t}}
}

// assumeRole emits caller's sts:AssumeRole of ro in region at t and
// returns the new session. A non-empty externalID and sourceID go into
// the request.
func (g *dayGen) assumeRole(caller *session, region string, t time.Time, ro *role, name, externalID, sourceID string, tags [][2]string, dur time.Duration) (*event, *roleSession) {
	rs := g.newRoleSession(ro, name, t)
	rs.sourceID = sourceID
	return g.assumeRoleInto(caller, region, ro, rs, externalID, tags, dur), rs
}

// assumeRoleInto renders the sts:AssumeRole that created rs.
func (g *dayGen) assumeRoleInto(caller *session, region string, ro *role, rs *roleSession, externalID string, tags [][2]string, dur time.Duration) *event {
	t, name, key, sourceID := rs.attrs.created, rs.name, rs.key, rs.sourceID
	c := g.prepare(caller, region, t)
	e := c.newEvent("sts.amazonaws.com", "AssumeRole", true)
	e.version = "1.08"
	e.req = c.render(func(w *jsonw) {
		w.kstr("roleArn", ro.arn(g.a.id))
		w.kstr("roleSessionName", name)
		if len(tags) > 0 {
			w.karr("tags")
			for _, kv := range tags {
				w.obj()
				w.kstr("key", kv[0])
				w.kstr("value", kv[1])
				w.endObj()
			}
			w.endArr()
		}
		if externalID != "" {
			w.kstr("externalId", externalID)
		}
		if sourceID != "" {
			w.kstr("sourceIdentity", sourceID)
		}
		w.kint("durationSeconds", int64(dur/time.Second))
	})
	e.resp = c.render(func(w *jsonw) {
		g.credentials(w, key, t.Add(dur))
		w.kobj("assumedRoleUser")
		w.kstr("assumedRoleId", ro.id+":"+name)
		w.kstr("arn", rs.sessionARN())
		w.endObj()
		if sourceID != "" {
			w.kstr("sourceIdentity", sourceID)
		}
	})
	e.resources = []resource{{arn: ro.arn(g.a.id), account: g.a.id, typ: "AWS::IAM::Role"}}
	switch {
	case caller.id.account != "" && caller.id.account != g.a.id:
		e.shared = true // a cross-account call: both accounts get the record
	case caller.id.typ == "AWSService":
		e.shared = true
		e.noTLS = true
	}
	return e
}

// assumeRoleWithWebIdentity emits a GitHub Actions OIDC exchange.
func (g *dayGen) assumeRoleWithWebIdentity(region string, t time.Time, ro *role, name string) (*event, *roleSession) {
	key := g.r.accessKey("ASIA", g.a.seg)
	rs := &roleSession{account: g.a.id, roleID: ro.id, roleName: ro.name, rolePath: ro.path, name: name, key: key,
		attrs: sessionAttrs{created: t}, webIDIdP: g.a.oidc}
	caller := &session{id: webIdentityUserIdentity(g.a.oidc, "sts.amazonaws.com", g.a.ciSub), ip: pick(g.r, []string{"192.0.2.101", "192.0.2.102", "192.0.2.117"}),
		ua: "aws-sdk-nodejs/2.1692.0 linux/v20.18.0 configure-aws-credentials-for-github-actions promise"}
	c := g.prepare(caller, region, t)
	e := c.newEvent("sts.amazonaws.com", "AssumeRoleWithWebIdentity", true)
	e.req = c.render(func(w *jsonw) {
		w.kstr("roleArn", ro.arn(g.a.id))
		w.kstr("roleSessionName", name)
		w.kint("durationSeconds", 3600)
	})
	e.resp = c.render(func(w *jsonw) {
		g.credentials(w, key, t.Add(time.Hour))
		w.kstr("subjectFromWebIdentityToken", g.a.ciSub)
		w.kobj("assumedRoleUser")
		w.kstr("assumedRoleId", ro.id+":"+name)
		w.kstr("arn", rs.sessionARN())
		w.endObj()
		w.kstr("provider", g.a.oidc)
		w.kstr("audience", "sts.amazonaws.com")
	})
	e.extra = c.render(func(w *jsonw) { w.kstr("identityProviderConnectionVerificationMethod", "IAMTrustStore") })
	e.resources = []resource{{arn: ro.arn(g.a.id), account: g.a.id, typ: "AWS::IAM::Role"}}
	return e, rs
}

// assumeRoleWithSAML emits the SAML federation through idp that created
// rs, a session of ro named after the SAML subject.
func (g *dayGen) assumeRoleWithSAML(region string, ro *role, rs *roleSession, idp, qualifier, issuer string, dur time.Duration, ip string) *event {
	t, subject, key := rs.attrs.created, rs.name, rs.key
	caller := &session{id: samlUserIdentity(qualifier, subject), ip: ip,
		ua: "aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.226-193.880.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc. cfg/retry-mode/standard"}
	c := g.prepare(caller, region, t)
	e := c.newEvent("sts.amazonaws.com", "AssumeRoleWithSAML", true)
	e.req = c.render(func(w *jsonw) {
		w.kstr("sAMLAssertionID", "_"+g.r.hex(40))
		w.kstr("roleSessionName", subject)
		w.kstr("roleArn", ro.arn(g.a.id))
		w.kstr("principalArn", idp)
		w.kint("durationSeconds", int64(dur/time.Second))
	})
	e.resp = c.render(func(w *jsonw) {
		g.credentials(w, key, t.Add(dur))
		w.kobj("assumedRoleUser")
		w.kstr("assumedRoleId", ro.id+":"+subject)
		w.kstr("arn", rs.sessionARN())
		w.endObj()
		w.kint("packedPolicySize", 0)
		w.kstr("subject", subject)
		w.kstr("subjectType", "persistent")
		w.kstr("issuer", issuer)
		w.kstr("audience", "https://signin.aws.amazon.com/saml")
		w.kstr("nameQualifier", qualifier)
	})
	e.resources = []resource{
		{arn: ro.arn(g.a.id), account: g.a.id, typ: "AWS::IAM::Role"},
		{arn: idp, account: g.a.id, typ: "AWS::IAM::SAMLProvider"},
	}
	e.noTLS = true
	return e
}

// consoleLogin emits a sign-in event.
func (g *dayGen) consoleLogin(id *identity, t time.Time, ip, ua string, mfa string) *event {
	e := &event{t: t, region: "us-east-1", source: "signin.amazonaws.com", name: "ConsoleLogin", id: id, ip: ip, ua: ua,
		kind: "AwsConsoleSignIn", noReqID: true, version: "1.08", host: "signin.aws.amazon.com"}
	e.resp = []byte(`{"ConsoleLogin":"Success"}`)
	w := &jsonw{state: stOpen}
	w.obj()
	w.kstr("LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_"+g.r.hex(16))
	w.kstr("MobileVersion", "No")
	if mfa != "" {
		w.kstr("MFAIdentifier", mfa)
		w.kstr("MFAUsed", "Yes")
	} else {
		w.kstr("MFAUsed", "No")
	}
	w.endObj()
	e.extra = w.b
	return g.emit(e, g.recDelay())
}

// run makes the whole day.
func (g *dayGen) run() [][]*event {
	for _, v := range g.a.vendors {
		g.vendorDay(v)
	}
	g.vendorDay(g.a.oldVendor)
	g.ciDay()
	g.lambdaDay()
	g.ssoDay()
	g.backupDay()
	g.reportingDay()
	g.rootDay()
	g.serviceDay()
	if g.w.extras {
		g.appSessions()
		g.federationDay()
		g.samlDay()
	}
	g.flush()
	return g.groups
}

// Vendors.

func (g *dayGen) vendorDay(v *vendor) {
	if v.active != nil && !v.active(g.day) {
		return
	}
	var starts []time.Time
	if v.sessionsPerDay >= 24 {
		off := g.r.between(0, 8*time.Minute)
		for h := 0; h < 24; h++ {
			starts = append(starts, g.start.Add(time.Duration(h)*time.Hour+off+g.r.between(0, 90*time.Second)))
		}
	} else {
		lo := 6 * time.Hour
		if d := v.role.created.Sub(g.start) + 30*time.Minute; d > lo {
			lo = d // not before the role exists
		}
		for i := 0; i < v.sessionsPerDay; i++ {
			starts = append(starts, g.start.Add(g.r.between(lo, max(lo, 21*time.Hour))))
		}
		slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	}
	for i, st := range starts {
		g.vendorSession(v, st, i == 0)
	}
}

func (g *dayGen) vendorSession(v *vendor, st time.Time, first bool) {
	g.flush()
	home := g.w.regions[0]
	ip := pick(g.r, v.ips)
	caller := &session{ip: ip, ua: v.ua}
	switch {
	case v.callerUser != "":
		caller.id = iamUserIdentity(v.account, v.callerRole, v.callerUser, v.callerKey, nil, "")
		caller.arn = "arn:aws:iam::" + v.account + ":user/" + v.callerUser
	case v.callerRoleName != "":
		rs := &roleSession{account: v.account, roleID: v.callerRole, roleName: v.callerRoleName, rolePath: "/",
			name: v.sessionName, key: v.callerKey, attrs: sessionAttrs{created: g.start.Add(-time.Duration(g.r.IntN(3000)) * time.Second)}}
		caller.id = assumedRoleIdentity(rs)
		caller.arn = rs.sessionARN()
	default:
		caller.id = awsAccountIdentity(v.account, v.callerRole+":"+v.sessionName)
		caller.arn = "arn:aws:sts::" + v.account + ":assumed-role/" + v.name + "-integration/" + v.sessionName
	}
	if v == g.a.oldVendor && (g.day > g.a.deleteDay || (g.day == g.a.deleteDay && st.After(g.deleteTime()))) {
		// The role is gone: the vendor's poller keeps trying.
		c := g.prepare(caller, home, st)
		e := c.newEvent("sts.amazonaws.com", "AssumeRole", true)
		e.resources = []resource{{arn: v.role.arn(g.a.id), account: g.a.id, typ: "AWS::IAM::Role"}}
		e.shared = true
		e.errCode = "AccessDenied"
		e.errMsg = "User: " + caller.arn + " is not authorized to perform: sts:AssumeRole on resource: " + v.role.arn(g.a.id)
		g.emit(e, g.recDelay())
		return
	}
	dur := time.Hour
	e, rs := g.assumeRole(caller, home, st, v.role, v.sessionName, v.externalID, v.sourceIdentity, v.tags, dur)
	// One AssumeRole record in three reaches S3 after the first calls
	// made with its key: a reader must not rely on file order.
	late := g.r.IntN(3) == 0
	if late {
		g.emit(e, g.r.between(3*time.Minute, 12*time.Minute))
	} else {
		g.burst()
		g.emit(e, g.recDelay())
	}
	s := &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN(), ip: ip, ua: v.ua}
	end := st.Add(57 * time.Minute)
	if v.sessionsPerDay < 24 {
		end = st.Add(g.r.between(8*time.Minute, 20*time.Minute))
	}
	t := st.Add(g.r.between(2*time.Second, 40*time.Second))
	for poll := 0; t.Before(end); poll++ {
		if poll > 0 || late {
			g.burst()
		}
		for ri, region := range g.w.regions {
			steps := v.home
			if ri > 0 {
				steps = v.other
				if v.otherEvery > 1 && poll%v.otherEvery != 1 {
					continue // other regions are crawled less often
				}
			}
			tt := t.Add(time.Duration(ri) * g.r.between(time.Second, 20*time.Second))
			for _, step := range steps {
				alts := strings.Split(step, "|")
				e := g.do(s, region, tt, alts[g.r.IntN(len(alts))])
				if e.name == "GetMetricData" && g.r.IntN(150) == 0 {
					throttle(e)
				}
				tt = tt.Add(g.r.between(300*time.Millisecond, 4*time.Second))
			}
		}
		if poll == 0 && first && v.name == "Datadog" {
			// Datadog asks for the organization once a day; the role
			// does not allow it.
			e := g.do(s, home, t.Add(5*time.Second), "organizations.DescribeOrganization")
			deny(e, s.arn, "organizations:DescribeOrganization")
		}
		if poll == 0 && v.extra != nil {
			t = v.extra(g, s, t)
		}
		t = t.Add(g.r.between(v.minGap, v.maxGap))
	}
}

// czReadCUR is CloudZero reading the cost and usage report objects.
func czReadCUR(g *dayGen, s *session, t time.Time) time.Time {
	home := g.w.regions[0]
	b := g.a.bucket("cur")
	t = t.Add(g.r.between(5*time.Second, 30*time.Second))
	c := g.prepare(s, home, t)
	c.pinBucket = b
	e := g.w.api("s3.ListObjects").event(c)
	applySession(e, s)
	g.emit(e, g.recDelay())
	for i, n := 0, 3+g.r.IntN(4); i < n; i++ {
		t = t.Add(g.r.between(time.Second, 8*time.Second))
		c := g.prepare(s, home, t)
		c.pinBucket = b
		e := g.w.api("s3.GetObject").event(c)
		applySession(e, s)
		g.emit(e, g.recDelay())
	}
	return t
}

// CI: GitHub Actions deploys on weekdays.

func (g *dayGen) ciDay() {
	if wd := g.start.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return
	}
	home := g.w.regions[0]
	n := 1 + g.r.IntN(4)
	for i := 0; i < n; i++ {
		g.flush()
		t := g.start.Add(g.r.between(8*time.Hour, 18*time.Hour))
		runID := 11000000000 + g.r.Int64N(900000000)
		name := "GitHubActions-" + itoa(runID)
		g.burst()
		e, rs := g.assumeRoleWithWebIdentity(home, t, g.a.ci, name)
		g.emit(e, g.recDelay())
		s := &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN(), ip: e.ip,
			ua: "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#cloudformation.deploy"}
		steps := []string{"sts.GetCallerIdentity", "ecr.GetAuthorizationToken", "ecr.PutImage", "s3.PutObject", "s3.PutObject",
			"cloudformation.CreateChangeSet", "cloudformation.DescribeStacks", "cloudformation.ExecuteChangeSet",
			"cloudformation.DescribeStacks", "cloudformation.DescribeStacks", "lambda.UpdateFunctionCode", "lambda.Invoke"}
		for _, st := range steps {
			t = t.Add(g.r.between(2*time.Second, 50*time.Second))
			c := g.prepare(s, home, t)
			switch st {
			case "s3.PutObject":
				c.pinBucket = g.a.bucket("ci")
			case "lambda.UpdateFunctionCode", "lambda.Invoke":
				c.pinFunction = g.a.function
			}
			e := g.w.api(st).event(c)
			applySession(e, s)
			g.emit(e, g.recDelay())
		}
		if g.day%7 == 2 && i == 0 {
			// A workflow change tries to deploy a function the role may
			// not touch.
			t = t.Add(g.r.between(2*time.Second, 20*time.Second))
			c := g.prepare(s, home, t)
			c.pinFunction = "payments-api"
			e := g.w.api("lambda.UpdateFunctionCode").event(c)
			applySession(e, s)
			deny(g.emit(e, g.recDelay()), s.arn, "lambda:UpdateFunctionCode")
		}
	}
}

// Lambda: the orders API, with a new execution environment every few
// hours.

func (g *dayGen) lambdaDay() {
	home := g.w.regions[0]
	svc := &session{id: awsServiceIdentity("lambda.amazonaws.com"), ip: "lambda.amazonaws.com", ua: "lambda.amazonaws.com"}
	var rs *roleSession
	var s *session
	for h := 0; h < 24; h++ {
		if h%6 == 0 {
			g.flush()
			g.burst()
			t := g.start.Add(time.Duration(h)*time.Hour + g.r.between(0, 20*time.Minute))
			var e *event
			e, rs = g.assumeRole(svc, home, t, g.a.lambda, g.a.function, "", "", nil, 12*time.Hour)
			g.emit(e, g.recDelay())
			s = &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN(), ip: "100.64." + itoa(int64(g.r.IntN(255))) + "." + itoa(int64(g.r.IntN(255))),
				ua: "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"}
			cold := t.Add(g.r.between(time.Second, 3*time.Second))
			for _, st := range []string{"logs.CreateLogStream", "kms.Decrypt", "secretsmanager.GetSecretValue"} {
				c := g.prepare(s, home, cold)
				c.pinFunction = g.a.function
				e := g.w.api(st).event(c)
				applySession(e, s)
				g.emit(e, g.recDelay())
				cold = cold.Add(g.r.between(100*time.Millisecond, 900*time.Millisecond))
			}
		}
		// Traffic comes in bursts: every other hour (in an archive, every
		// hour by day).
		if h%2 == 1 && (h < 7 || h > 21 || !g.w.extras) {
			continue
		}
		n := 2 + g.r.IntN(3)
		if h >= 8 && h < 20 {
			n += 2 + g.r.IntN(3)
		}
		g.burst()
		t := g.start.Add(time.Duration(h)*time.Hour + g.r.between(25*time.Minute, 58*time.Minute))
		for i := 0; i < n; i++ {
			t = t.Add(g.r.between(time.Second, 25*time.Second))
			for _, st := range []string{"dynamodb.GetItem", "dynamodb.PutItem"} {
				if st == "dynamodb.PutItem" && g.r.IntN(2) == 0 {
					continue
				}
				c := g.prepare(s, home, t)
				c.pinFunction, c.pinTable = g.a.function, "orders"
				e := g.w.api(st).event(c)
				applySession(e, s)
				g.emit(e, g.recDelay())
				if g.r.IntN(300) == 0 {
					throttle(e)
				}
				t = t.Add(g.r.between(5*time.Millisecond, 400*time.Millisecond))
			}
		}
	}
}

// Identity Center: administrators sign in through the portal on
// weekdays and work in the console or with Terraform.

func (g *dayGen) ssoDay() {
	wd := g.start.Weekday()
	for ui, u := range g.a.ssoUsers {
		change := ui == 0 && (g.day == g.a.createDay || g.day == g.a.deleteDay)
		if !change && (wd == time.Saturday || wd == time.Sunday || g.r.IntN(10) < 5) {
			continue
		}
		g.flush()
		home := "us-east-1"
		ip := g.a.ssoIPs[ui%len(g.a.ssoIPs)]
		browser := "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"
		t := g.start.Add(g.r.between(8*time.Hour, 10*time.Hour))
		if change {
			t = g.start.Add(10*time.Hour + 2*time.Minute)
		}
		g.burst()
		portal := &session{id: identityCenterUserIdentity(g.a.id, u, g.r.alnum(48)+"_"+g.r.alnum(12)), ip: ip, ua: browser}
		for _, step := range []struct{ src, name, kind string }{
			{"signin.amazonaws.com", "CredentialChallenge", "AwsServiceEvent"},
			{"signin.amazonaws.com", "UserAuthentication", "AwsServiceEvent"},
			{"sso.amazonaws.com", "ListAccounts", ""},
			{"sso.amazonaws.com", "ListAccountRoles", ""},
			{"sso.amazonaws.com", "Federate", "AwsServiceEvent"},
		} {
			t = t.Add(g.r.between(time.Second, 20*time.Second))
			c := g.prepare(portal, home, t)
			e := c.newEvent(step.src, step.name, step.kind == "")
			e.kind = step.kind
			e.version = "1.11"
			switch step.name {
			case "CredentialChallenge":
				e.details = []byte(`{"CredentialChallenge":"Success"}`)
				e.extra = c.render(func(w *jsonw) { w.kstr("CredentialType", "PASSWORD") })
				e.noReqID = true
			case "UserAuthentication":
				e.details = []byte(`{"UserAuthentication":"Success"}`)
				e.extra = c.render(func(w *jsonw) {
					w.kstr("LoginTo", "https://"+g.a.ssoStore+".awsapps.com/start/")
					w.kstr("CredentialType", "PASSWORD")
				})
				e.noReqID = true
			case "ListAccountRoles":
				e.req = c.render(func(w *jsonw) {
					w.kstr("accountId", g.a.id)
					w.kstr("accessToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
				})
			case "Federate":
				e.details = c.render(func(w *jsonw) {
					w.kstr("account_id", g.a.id)
					w.kstr("role_name", "AdministratorAccess")
				})
				e.noReqID = true
			}
			g.emit(e, g.recDelay())
		}
		t = t.Add(g.r.between(time.Second, 5*time.Second))
		rs := g.newRoleSession(g.a.ssoRole, u.name, t)
		g.emit(g.assumeRoleWithSAML(home, g.a.ssoRole, rs, g.a.ssoIdP, g.a.ssoQual,
			"https://portal.sso."+home+".amazonaws.com/saml/assertion/"+g.r.b64(40), 12*time.Hour, "AWS Internal"), g.recDelay())
		rs.attrs.mfa = false
		console := ui == 0
		rs.console = console
		s := &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN(), ip: ip, ua: "AWS Internal"}
		if console {
			g.consoleLogin(s.id, t.Add(g.r.between(time.Second, 4*time.Second)), ip, browser, "")
		}
		if !console {
			s.ua = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/macos lang/go#1.23.2 md/GOOS#darwin md/GOARCH#arm64 api/ec2#1.181.0"
		}
		if change && g.day == g.a.deleteDay {
			g.deleteOldVendor(s, rs, g.deleteTime())
		}
		if change && g.day == g.a.createDay {
			g.createCloudZero(s, t.Add(9*time.Minute))
		}
		reads := []string{"ec2.DescribeInstances", "s3.ListBuckets", "iam.ListRoles", "iam.GetRole", "iam.ListAttachedRolePolicies",
			"cloudtrail.LookupEvents", "cloudwatch.DescribeAlarms", "lambda.ListFunctions", "lambda.GetFunction", "dynamodb.DescribeTable",
			"s3.GetBucketPolicy", "s3.GetBucketLocation", "kms.ListKeys", "ec2.DescribeSecurityGroups", "logs.DescribeLogGroups", "health.DescribeEvents",
			"cloudformation.DescribeStacks", "ssm.DescribeParameters", "sns.ListTopics", "sqs.ListQueues", "secretsmanager.ListSecrets"}
		n := 5 + g.r.IntN(12)
		for i := 0; i < n; i++ {
			t = t.Add(g.r.between(10*time.Second, 3*time.Minute))
			region := pick(g.r, g.w.regions)
			if console && g.r.IntN(4) == 0 {
				s.ua = browser
			} else if console {
				s.ua = "AWS Internal"
			}
			g.do(s, region, t, pick(g.r, reads))
		}
	}
}

func (g *dayGen) deleteTime() time.Time {
	return g.w.start.AddDate(0, 0, g.a.deleteDay).Add(10*time.Hour + 41*time.Minute)
}

// deleteOldVendor is the administrator removing the Cloudability role.
func (g *dayGen) deleteOldVendor(s *session, rs *roleSession, t time.Time) {
	home := "us-east-1"
	ro := g.a.oldVendor.role
	for _, op := range []string{"ListAttachedRolePolicies", "DetachRolePolicy", "ListRolePolicies", "DeleteRole"} {
		t = t.Add(g.r.between(2*time.Second, 40*time.Second))
		c := g.prepare(s, home, t)
		e := c.newEvent("iam.amazonaws.com", op, strings.HasPrefix(op, "List"))
		e.version = "1.09"
		e.req = c.render(func(w *jsonw) {
			w.kstr("roleName", ro.name)
			if op == "DetachRolePolicy" {
				w.kstr("policyArn", "arn:aws:iam::"+g.a.id+":policy/CloudabilityMonitorResources")
			}
		})
		g.emit(e, g.recDelay())
	}
}

// createCloudZero is the administrator creating the CloudZero role: a new
// trust to a whole external account, without an ExternalId.
func (g *dayGen) createCloudZero(s *session, t time.Time) {
	home := "us-east-1"
	ro := g.a.vendors[1].role
	trust := trustAccount(cloudzeroAccount, "").text()
	c := g.prepare(s, home, ro.created)
	e := c.newEvent("iam.amazonaws.com", "CreateRole", false)
	e.version = "1.09"
	e.req = c.render(func(w *jsonw) {
		w.kstr("roleName", ro.name)
		w.kstr("description", "CloudZero cost ingestion")
		w.key("assumeRolePolicyDocument")
		w.strJava(trust)
		w.kint("maxSessionDuration", 3600)
	})
	e.resp = c.render(func(w *jsonw) {
		w.kobj("role")
		w.kstr("path", "/")
		w.kstr("roleName", ro.name)
		w.kstr("roleId", ro.id)
		w.kstr("arn", ro.arn(g.a.id))
		w.kstr("createDate", ro.created.Format(stsExpiration))
		w.kstr("assumeRolePolicyDocument", urlEncode(trust))
		w.endObj()
	})
	g.emit(e, g.recDelay())
	t = ro.created.Add(g.r.between(20*time.Second, 90*time.Second))
	c = g.prepare(s, home, t)
	e = c.newEvent("iam.amazonaws.com", "PutRolePolicy", false)
	e.version = "1.09"
	e.req = c.render(func(w *jsonw) {
		w.kstr("roleName", ro.name)
		w.kstr("policyName", "CloudZeroCostAccess")
		w.key("policyDocument")
		w.strJava(cloudZeroPolicyText(g.a))
	})
	g.emit(e, g.recDelay())
}

// urlEncode percent-encodes a policy document the way IAM returns it.
func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}

// IAM users with long-term keys.

func (g *dayGen) backupDay() {
	g.flush()
	u := g.a.backup
	home := g.w.regions[0]
	g.burst()
	s := &session{id: iamUserIdentity(g.a.id, u.id, u.name, u.key, nil, ""), arn: "arn:aws:iam::" + g.a.id + ":user/" + u.name, ip: u.ip, ua: u.ua}
	t := g.start.Add(2*time.Hour + g.r.between(0, 10*time.Minute))
	b := g.a.bucket("backups")
	steps := []string{"s3.ListObjects"}
	for i, n := 0, 6+g.r.IntN(8); i < n; i++ {
		steps = append(steps, "s3.PutObject")
	}
	steps = append(steps, "s3.HeadObject")
	for _, st := range steps {
		t = t.Add(g.r.between(2*time.Second, 90*time.Second))
		c := g.prepare(s, home, t)
		c.pinBucket = b
		e := g.w.api(st).event(c)
		applySession(e, s)
		g.emit(e, g.recDelay())
		if st == "s3.HeadObject" && g.r.IntN(3) == 0 {
			notFound(e)
		}
	}
}

func (g *dayGen) reportingDay() {
	u := g.a.reporting
	home := g.w.regions[0]
	arn := "arn:aws:iam::" + g.a.id + ":user/" + u.name
	if wd := g.start.Weekday(); wd != time.Saturday && wd != time.Sunday {
		g.flush()
		g.burst()
		s := &session{id: iamUserIdentity(g.a.id, u.id, u.name, u.key, nil, ""), arn: arn, ip: u.ip, ua: u.ua}
		t := g.start.Add(6*time.Hour + g.r.between(0, 5*time.Minute))
		for _, st := range []string{"ce.GetCostAndUsage", "s3.GetObject", "s3.GetObject", "s3.GetObject"} {
			t = t.Add(g.r.between(time.Second, 20*time.Second))
			c := g.prepare(s, home, t)
			c.pinBucket = g.a.bucket("reports")
			e := g.w.api(st).event(c)
			applySession(e, s)
			g.emit(e, g.recDelay())
		}
	}
	if g.day != g.a.burstDay {
		return
	}
	// The key leaked: someone enumerates the account from a new address
	// and is mostly refused.
	g.flush()
	g.burst()
	s := &session{id: iamUserIdentity(g.a.id, u.id, u.name, u.key, nil, ""), arn: arn, ip: "203.0.113.77",
		ua: "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54"}
	t := g.start.Add(14*time.Hour + 2*time.Minute + g.r.between(0, time.Minute))
	g.do(s, home, t, "sts.GetCallerIdentity")
	probes := []string{"iam.ListUsers", "iam.ListRoles", "iam.GetAccountSummary", "secretsmanager.ListSecrets", "ssm.DescribeParameters",
		"kms.ListKeys", "lambda.ListFunctions", "ec2.DescribeInstances", "dynamodb.ListTables", "organizations.DescribeOrganization",
		"cloudtrail.DescribeTrails", "rds.DescribeDBInstances", "sns.ListTopics", "sqs.ListQueues", "ec2.DescribeSnapshots", "iam.GetUser"}
	for i := 0; i < 44; i++ {
		t = t.Add(g.r.between(200*time.Millisecond, 3*time.Second))
		st := probes[i%len(probes)]
		region := g.w.regions[(i/len(probes))%len(g.w.regions)]
		e := g.do(s, region, t, st)
		deny(e, arn, g.w.api(st).action())
	}
	// What the key is allowed to do, it does.
	b := g.a.bucket("reports")
	for i := 0; i < 6; i++ {
		t = t.Add(g.r.between(time.Second, 6*time.Second))
		c := g.prepare(s, home, t)
		c.pinBucket = b
		st := "s3.GetObject"
		if i == 0 {
			st = "s3.ListObjects"
		}
		e := g.w.api(st).event(c)
		applySession(e, s)
		g.emit(e, g.recDelay())
	}
}

// The root user signs in once.

func (g *dayGen) rootDay() {
	if g.day != g.a.rootDay {
		return
	}
	g.flush()
	g.burst()
	t := g.start.Add(9*time.Hour + 14*time.Minute + g.r.between(0, time.Minute))
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"
	g.consoleLogin(rootIdentity(g.a.id, g.a.id, "", nil), t, g.a.rootIP, ua, "arn:aws:iam::"+g.a.id+":mfa/root-account-mfa-device")
	key := g.r.accessKey("ASIA", g.a.seg)
	s := &session{id: rootIdentity(g.a.id, g.a.id, key, &sessionAttrs{created: t, mfa: true}), arn: "arn:aws:iam::" + g.a.id + ":root", ip: g.a.rootIP, ua: "AWS Internal"}
	for _, st := range []string{"iam.GetAccountSummary", "iam.ListUsers", "s3.ListBuckets", "iam.GetUser", "ce.GetCostAndUsage"} {
		t = t.Add(g.r.between(5*time.Second, 2*time.Minute))
		g.do(s, "us-east-1", t, st)
	}
}

// AWS services acting in the account.

func (g *dayGen) serviceDay() {
	home := g.w.regions[0]
	ct := &session{id: awsServiceIdentity("cloudtrail.amazonaws.com"), ip: "cloudtrail.amazonaws.com", ua: "cloudtrail.amazonaws.com"}
	for i, n := 0, 2+g.r.IntN(2); i < n; i++ {
		g.flush()
		t := g.start.Add(g.r.between(0, 24*time.Hour))
		c := g.prepare(ct, home, t)
		e := c.newEvent("s3.amazonaws.com", "GetBucketAcl", true)
		e.req = c.render(func(w *jsonw) {
			w.kstr("bucketName", g.w.bucket)
			w.kstr("Host", g.w.bucket+".s3."+home+".amazonaws.com")
			w.kstr("acl", "")
		})
		e.extra = c.s3Extra(0, 552)
		e.resources = []resource{{arn: "arn:aws:s3:::" + g.w.bucket, account: g.a.id, typ: "AWS::S3::Bucket"}}
		e.s3ReqID, e.shared, e.noTLS = true, true, true
		g.emit(e, g.recDelay())
	}
	if g.day == 8%g.w.days {
		g.flush()
		t := g.start.Add(g.r.between(0, 24*time.Hour))
		key := kmsKeyID(g.a, home, 0)
		e := &event{t: t, region: home, source: "kms.amazonaws.com", name: "RotateKey", id: internalIdentity(g.a.id, "AWS Internal"),
			ip: "AWS Internal", ua: "AWS Internal", kind: "AwsServiceEvent", noReqID: true, noTLS: true, version: "1.08"}
		e.resources = []resource{{arn: "arn:aws:kms:" + home + ":" + g.a.id + ":key/" + key, account: g.a.id, typ: "AWS::KMS::Key"}}
		e.details = []byte(`{"keyId":"` + key + `"}`)
		g.emit(e, g.recDelay())
	}
}

func itoa(i int64) string {
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

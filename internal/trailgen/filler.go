package trailgen

import (
	"strconv"
	"strings"
	"time"
)

// The bulk of an archive: workloads that call AWS all day with
// credentials that rotate every hour. A workload session is a pure
// function of (account, role, region, hour), so a delivery window can be
// filled on its own while the day's story emits the sts:AssumeRole (or
// GetFederationToken, AssumeRoleWithSAML) that issued every key it uses.

// hourOf is the index of the hourly session of a role with offset off
// that is current at t.
func hourOf(t time.Time, off time.Duration) int64 {
	s := t.Unix() - int64(off/time.Second)
	k := s / 3600
	if s < 0 && s%3600 != 0 {
		k--
	}
	return k
}

func hourStart(k int64, off time.Duration) time.Time {
	return time.Unix(k*3600, 0).UTC().Add(off)
}

// workloadSession is the session of workload role ro in region that
// starts in hour k.
func workloadSession(w *world, a *account, ro *role, region string, k int64) *roleSession {
	r := newRNG(w.seed, hashString(a.id), hashString(ro.name), hashString(region), uint64(k), 0x5e55)
	rs := &roleSession{account: a.id, roleID: ro.id, roleName: ro.name, rolePath: ro.path,
		key: r.accessKey("ASIA", a.seg), attrs: sessionAttrs{created: hourStart(k, ro.offset)}}
	switch ro.service {
	case "ec2.amazonaws.com":
		rs.name, rs.ec2 = instanceID(a, region, r.IntN(12)), true
	case "ecs-tasks.amazonaws.com":
		rs.name = r.hex(32)
	case "config.amazonaws.com":
		rs.name, rs.invokedBy = "AWSConfig-Describe", ro.service
	default:
		rs.name, rs.invokedBy = strings.TrimSuffix(ro.service, ".amazonaws.com"), ro.service
	}
	return rs
}

// federatedSession is the GetFederationToken session of hour k.
func federatedSession(w *world, a *account, k int64) (name, key string, created time.Time) {
	r := newRNG(w.seed, hashString(a.id), uint64(k), 0xfed)
	return pick(r, []string{"report-viewer", "partner-portal", "support-console"}), r.accessKey("ASIA", a.seg), hourStart(k, a.fedOffset)
}

// samlSession is the Okta federation into the read-only role in hour k.
// People sign in during working hours only.
func samlSession(w *world, a *account, k int64) (*roleSession, bool) {
	start := hourStart(k, a.samlOffset)
	if h := start.Hour(); h < 7 || h > 18 {
		return nil, false
	}
	r := newRNG(w.seed, hashString(a.id), uint64(k), 0x5a31)
	subject := pick(r, []string{"alex.chen@acme.example", "priya.nair@acme.example", "tom.baker@acme.example", "lea.dubois@acme.example"})
	return &roleSession{account: a.id, roleID: a.samlRole.id, roleName: a.samlRole.name, rolePath: a.samlRole.path,
		name: subject, key: r.accessKey("ASIA", a.seg), attrs: sessionAttrs{created: start}, console: true}, true
}

// appSessions emits the sts:AssumeRole records of the day's workload
// sessions.
func (g *dayGen) appSessions() {
	dayStart, dayEnd := g.start, g.start.Add(24*time.Hour)
	for _, ro := range append(append([]*role(nil), g.a.apps...), g.a.svcRoles...) {
		svc := &session{id: awsServiceIdentity(ro.service), ip: ro.service, ua: ro.service}
		for _, region := range g.w.regions {
			for k := hourOf(dayStart, ro.offset); ; k++ {
				t := hourStart(k, ro.offset)
				if t.Before(dayStart) {
					continue
				}
				if !t.Before(dayEnd) {
					break
				}
				g.flush()
				rs := workloadSession(g.w, g.a, ro, region, k)
				g.emit(g.assumeRoleInto(svc, region, ro, rs, "", nil, time.Hour), g.recDelay())
			}
		}
	}
	g.flush()
}

// federationDay emits the broker's GetFederationToken calls.
func (g *dayGen) federationDay() {
	u := g.a.broker
	s := &session{id: iamUserIdentity(g.a.id, u.id, u.name, u.key, nil, ""), arn: "arn:aws:iam::" + g.a.id + ":user/" + u.name, ip: u.ip, ua: u.ua}
	for k := hourOf(g.start, g.a.fedOffset); ; k++ {
		name, key, t := federatedSession(g.w, g.a, k)
		if t.Before(g.start) {
			continue
		}
		if !t.Before(g.start.Add(24 * time.Hour)) {
			break
		}
		g.flush()
		c := g.prepare(s, "us-east-1", t)
		e := c.newEvent("sts.amazonaws.com", "GetFederationToken", true)
		policy := "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::" + g.a.bucket("reports").name + "\",\"arn:aws:s3:::" + g.a.bucket("reports").name + "/*\"]}]}"
		e.req = c.render(func(w *jsonw) {
			w.kstr("name", name)
			w.kint("durationSeconds", 3600)
			w.kstr("policy", policy)
		})
		e.resp = c.render(func(w *jsonw) {
			g.credentials(w, key, t.Add(time.Hour))
			w.kobj("federatedUser")
			w.kstr("federatedUserId", g.a.id+":"+name)
			w.kstr("arn", "arn:aws:sts::"+g.a.id+":federated-user/"+name)
			w.endObj()
			w.kint("packedPolicySize", 9)
		})
		g.emit(e, g.recDelay())
	}
	g.flush()
}

// samlDay emits the Okta federations of the day.
func (g *dayGen) samlDay() {
	for k := hourOf(g.start, g.a.samlOffset); ; k++ {
		t := hourStart(k, g.a.samlOffset)
		if t.Before(g.start) {
			continue
		}
		if !t.Before(g.start.Add(24 * time.Hour)) {
			break
		}
		rs, ok := samlSession(g.w, g.a, k)
		if !ok {
			continue
		}
		g.flush()
		g.emit(g.assumeRoleWithSAML("us-east-1", g.a.samlRole, rs, g.a.samlIdP, "okta.acme.example",
			"http://www.okta.com/exk"+g.r.alnum(17), time.Hour, "203.0.113."+strconv.Itoa(30+g.r.IntN(20))), g.recDelay())
	}
	g.flush()
}

// A step is one weighted call of a workload.
type step struct {
	api    *api
	bucket string // bucket kind to work on
	fn     string // function to work on
	weight int
}

// parseSteps reads "api[@bucket][#function]:weight" lines.
func parseSteps(w *world, specs ...string) []step {
	var out []step
	for _, s := range specs {
		name, wt, _ := strings.Cut(s, ":")
		n, _ := strconv.Atoi(wt)
		st := step{weight: max(1, n)}
		if i := strings.IndexByte(name, '#'); i >= 0 {
			name, st.fn = name[:i], name[i+1:]
		}
		if i := strings.IndexByte(name, '@'); i >= 0 {
			name, st.bucket = name[:i], name[i+1:]
		}
		st.api = w.api(name)
		out = append(out, st)
	}
	return out
}

func pickStep(r rng, steps []step) step {
	total := 0
	for _, s := range steps {
		total += s.weight
	}
	x := r.IntN(total)
	for _, s := range steps {
		if x < s.weight {
			return s
		}
		x -= s.weight
	}
	return steps[len(steps)-1]
}

// workloads returns the call mix of each archive workload. The table is
// built once per world.
func workloads(w *world) map[string][]step {
	return map[string][]step{
		"web-app-ec2-role": parseSteps(w, "s3.GetObject@assets:40", "s3.HeadObject@assets:12", "dynamodb.GetItem:18", "dynamodb.Query:8",
			"kms.Decrypt:6", "sqs.SendMessage:6", "sns.Publish:2", "s3.PutObject@assets:2"),
		"etl-worker-role": parseSteps(w, "s3.GetObject@data:30", "s3.PutObject@data:20", "s3.ListObjects@data:8", "s3.DeleteObject@data:3",
			"kms.GenerateDataKey:10", "kms.Decrypt:12", "dynamodb.PutItem:4", "ssm.GetParameter:2"),
		"api-ecs-task-role": parseSteps(w, "dynamodb.GetItem:30", "dynamodb.PutItem:14", "dynamodb.Query:10", "secretsmanager.GetSecretValue:4",
			"ssm.GetParameters:4", "lambda.Invoke#image-resizer:6", "sqs.SendMessage:8", "kms.Decrypt:6", "sqs.GetQueueAttributes:2"),
		"image-pipeline-role": parseSteps(w, "s3.GetObject@assets:24", "s3.PutObject@assets:24", "lambda.Invoke#image-resizer:8",
			"sqs.SendMessage:6", "kms.Decrypt:6", "kms.GenerateDataKey:6", "s3.HeadObject@assets:6"),
		"AWSServiceRoleForConfig": parseSteps(w, "ec2.DescribeInstances:10", "ec2.DescribeSecurityGroups:8", "ec2.DescribeVolumes:6",
			"iam.GetRole:8", "iam.ListAttachedRolePolicies:6", "s3.GetBucketPolicy:6", "s3.GetBucketAcl:6", "lambda.GetFunction:4",
			"dynamodb.DescribeTable:4", "kms.DescribeKey:4", "sns.GetTopicAttributes:2", "sqs.GetQueueAttributes:2"),
		"AWSServiceRoleForAutoScaling": parseSteps(w, "ec2.DescribeInstances:10", "cloudwatch.DescribeAlarms:4", "ec2.CreateTags:1",
			"elasticloadbalancing.DescribeLoadBalancers:4"),
		"ops-automation": parseSteps(w, "ec2.DescribeInstances:20", "ec2.DescribeVolumes:8", "ec2.DescribeSnapshots:6", "ec2.CreateTags:4",
			"ec2.StopInstances:1", "ec2.StartInstances:1", "ssm.DescribeParameters:4", "cloudwatch.GetMetricData:10",
			"autoscaling.DescribeAutoScalingGroups:6", "rds.DescribeDBInstances:4", "ssm.PutParameter:1"),
		"federated": parseSteps(w, "s3.GetObject@reports:20", "s3.ListObjects@reports:6", "s3.ListBuckets:2"),
		"okta-readonly": parseSteps(w, "ec2.DescribeInstances:10", "s3.ListBuckets:6", "iam.ListRoles:4", "cloudwatch.DescribeAlarms:5",
			"cloudwatch.GetMetricData:8", "lambda.ListFunctions:5", "logs.DescribeLogGroups:5", "cloudtrail.LookupEvents:3",
			"dynamodb.ListTables:3", "rds.DescribeDBInstances:3", "health.DescribeEvents:2", "cloudformation.DescribeStacks:3"),
	}
}

// A filler makes the bulk records of one delivery window.
type filler struct {
	w      *world
	a      *account
	ri     int
	region string
	r      rng
	c      call
	cache  map[string]*session
}

func newFiller(w *world, a *account, ri int, r rng) *filler {
	return &filler{w: w, a: a, ri: ri, region: w.regions[ri], r: r, cache: map[string]*session{}}
}

func (f *filler) appSession(ro *role, t time.Time) *session {
	k := hourOf(t, ro.offset)
	ck := ro.name + "/" + strconv.FormatInt(k, 10)
	if s := f.cache[ck]; s != nil {
		return s
	}
	rs := workloadSession(f.w, f.a, ro, f.region, k)
	r := newRNG(hashString(rs.key))
	s := &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN()}
	switch {
	case rs.invokedBy != "":
		s.ip, s.ua = rs.invokedBy, rs.invokedBy
	default:
		s.ip = "10." + strconv.Itoa(16+f.ri) + "." + strconv.Itoa(r.IntN(64)) + "." + strconv.Itoa(1+r.IntN(250))
		s.vpce = "vpce-0" + newRNG(f.w.seed, hashString(f.a.id), hashString(f.region), 0x7e).hex(16)
		s.ua = workloadUA(ro.name)
	}
	f.cache[ck] = s
	return s
}

func workloadUA(role string) string {
	switch role {
	case "web-app-ec2-role":
		return "aws-sdk-java/2.28.16 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy"
	case "etl-worker-role":
		return "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36 Resource"
	case "api-ecs-task-role":
		return "aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE api/dynamodb#1.36.2"
	}
	return "aws-sdk-js/3.675.0 ua/2.1 os/linux#5.10.226-214.880.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/s3#3.675.0 exec-env/AWS_ECS_FARGATE"
}

// next returns one bulk record for the window with file time T.
func (f *filler) next(T time.Time) *event {
	r := f.r
	deliver := T.Add(-r.between(time.Second, deliveryWindow))
	t := deliver.Add(-r.between(0, 4*time.Minute))
	if t.Before(f.w.start) {
		t = f.w.start
	}
	if t.After(deliver) {
		deliver = t
	}
	var s *session
	var steps []step
	wl := f.w.work
	switch x := r.IntN(100); {
	case x < 66:
		ro := f.a.apps[r.IntN(len(f.a.apps))]
		if r.IntN(3) == 0 {
			ro = f.a.apps[1] // the ETL worker is the busiest
		}
		s, steps = f.appSession(ro, t), wl[ro.name]
	case x < 76:
		ro := f.a.svcRoles[r.IntN(len(f.a.svcRoles))]
		s, steps = f.appSession(ro, t), wl[ro.name]
	case x < 86:
		u := f.a.opsUsers[0]
		s = f.cache[u.name]
		if s == nil {
			s = &session{id: iamUserIdentity(f.a.id, u.id, u.name, u.key, nil, ""), arn: "arn:aws:iam::" + f.a.id + ":user/" + u.name, ip: u.ip, ua: u.ua}
			f.cache[u.name] = s
		}
		steps = wl["ops-automation"]
	case x < 92:
		k := hourOf(t, f.a.fedOffset)
		ck := "fed/" + strconv.FormatInt(k, 10)
		s = f.cache[ck]
		if s == nil {
			name, key, created := federatedSession(f.w, f.a, k)
			b := f.a.broker
			s = &session{id: federatedUserIdentity(f.a.id, b.id, b.name, name, key, sessionAttrs{created: created}),
				arn: "arn:aws:sts::" + f.a.id + ":federated-user/" + name, ip: "192.0.2.70", ua: b.ua}
			f.cache[ck] = s
		}
		steps = wl["federated"]
	case x < 97:
		k := hourOf(t, f.a.samlOffset)
		rs, ok := samlSession(f.w, f.a, k)
		if !ok {
			return f.next(T)
		}
		ck := "saml/" + strconv.FormatInt(k, 10)
		s = f.cache[ck]
		if s == nil {
			s = &session{id: assumedRoleIdentity(rs), arn: rs.sessionARN(), ip: "203.0.113." + strconv.Itoa(30+newRNG(uint64(k)).IntN(20)), ua: "AWS Internal"}
			f.cache[ck] = s
		}
		steps = wl["okta-readonly"]
	default:
		// AWS acting on its own: a record without a userIdentity type.
		e := &event{t: t, deliver: deliver, region: f.region, source: "ec2.amazonaws.com", name: "SharedSnapshotVolumeCreated",
			id: internalIdentity(f.a.id, "ec2.amazonaws.com"), ip: "ec2.amazonaws.com", ua: "ec2.amazonaws.com",
			kind: "AwsServiceEvent", noReqID: true, noTLS: true, shared: true}
		e.details = []byte(`{"snapshotId":"snap-0` + r.hex(16) + `"}`)
		return e
	}
	st := pickStep(r, steps)
	c := &f.c
	c.r, c.acct, c.region, c.t = r, f.a, f.region, t
	c.id, c.arn, c.ip, c.ua = s.id, s.arn, s.ip, s.ua
	c.pinBucket, c.pinFunction, c.pinTable = nil, st.fn, ""
	if st.bucket != "" {
		c.pinBucket = f.a.bucket(st.bucket)
	}
	e := st.api.event(c)
	applySession(e, s)
	if s.id.key != "" && s.ip == s.ua && strings.HasSuffix(s.ip, ".amazonaws.com") {
		e.noTLS = true
	}
	e.deliver = deliver
	switch x := r.IntN(1000); {
	case x < 15:
		deny(e, s.arn, st.api.action())
	case x < 22:
		throttle(e)
	case x < 50 && (e.name == "GetObject" || e.name == "HeadObject"):
		notFound(e)
	}
	return e
}

package trailgen

import (
	"strconv"
	"strings"
	"time"
)

// A world is everything one run generates logs for: the accounts, their
// resources and principals (the cast), the regions and the days.
type world struct {
	seed    uint64
	org     string
	prefix  string
	overlap bool   // also deliver through account trails (Options.Overlap)
	bucket  string // the trail's S3 bucket
	trail   string // the trail's name
	regions []string
	start   time.Time
	days    int
	// filler is the number of uncompressed record bytes of bulk workload
	// to add per account and day, on top of the cast's own activity.
	filler int64
	// extras adds the archive-only cast: application roles, federated
	// users, a SAML identity provider.
	extras   bool
	accounts []*account
	apis     map[string]*api
	work     map[string][]step // bulk workloads' call mixes
}

func (w *world) end() time.Time { return w.start.AddDate(0, 0, w.days) }

func (w *world) api(name string) *api {
	a, ok := w.apis[name]
	if !ok {
		panic("trailgen: no call template " + name)
	}
	return a
}

// A bucket is an S3 bucket and what is kept in it, which decides the
// shape of its object keys.
type bucket struct {
	name string
	kind string // backups, reports, ci, cur, data, assets, trail
}

// objectKey returns a key of an object in b at time t.
func (b *bucket) objectKey(r rng, t time.Time) string {
	d := t.Format("2006/01/02")
	switch b.kind {
	case "backups":
		return "postgres/orders/" + d + "/orders-" + t.Format("1504") + "-part" + strconv.Itoa(r.IntN(40)) + ".sql.gz"
	case "reports":
		switch r.IntN(6) {
		case 0:
			return "finance/" + t.Format("2006-01") + "/r\u00e9sum\u00e9 trimestriel.pdf"
		case 1:
			return `exports\windows\` + t.Format("2006-01-02") + `\sales.xlsx`
		default:
			return "daily/" + d + "/" + pick(r, []string{"revenue", "signups", "churn", "inventory"}) + ".csv"
		}
	case "ci":
		return "builds/web-app/" + r.hex(40) + "/bundle.zip"
	case "cur":
		return "cur/acme-cur/" + t.Format("20060102") + "-" + t.AddDate(0, 1, 0).Format("20060102") + "/acme-cur-0000" + strconv.Itoa(1+r.IntN(4)) + ".csv.gz"
	case "data":
		return "raw/events/year=" + t.Format("2006") + "/month=" + t.Format("01") + "/day=" + t.Format("02") + "/part-" + strconv.Itoa(10000+r.IntN(90000)) + "-" + r.uuid() + ".snappy.parquet"
	case "assets":
		return "img/products/" + strconv.Itoa(100000+r.IntN(900000)) + pick(r, []string{".jpg", ".png", ".webp"})
	}
	return "AWSLogs/" + r.hex(8) + ".json.gz"
}

// listPrefix returns a prefix a client lists in b.
func (b *bucket) listPrefix(r rng, t time.Time) string {
	switch b.kind {
	case "backups":
		return "postgres/orders/" + t.Format("2006/01/02") + "/"
	case "reports":
		return "daily/" + t.Format("2006/01/02") + "/"
	case "cur":
		return "cur/acme-cur/"
	case "data":
		return "raw/events/year=" + t.Format("2006") + "/month=" + t.Format("01") + "/"
	}
	return ""
}

// A role is an IAM role of the account.
type role struct {
	name    string
	path    string
	id      string // AROA...
	created time.Time
	// offset places the hourly credential refresh of a workload role.
	offset time.Duration
	// service is the service principal that assumes a workload role.
	service string
}

func (r *role) arn(account string) string {
	return "arn:aws:iam::" + account + ":role" + r.path + r.name
}

// A user is an IAM user with an access key.
type user struct {
	name       string
	id         string // AIDA...
	key        string // AKIA...
	created    time.Time
	keyCreated time.Time
	ip         string
	ua         string
}

// A vendor is a third party that assumes one of the account's roles
// from its own account.
type vendor struct {
	name        string // "Datadog"
	account     string // the vendor's AWS account
	role        *role
	externalID  string // "" when the trust has no ExternalId condition
	sessionName string
	callerRole  string // the vendor-side principal's unique id, as principalId shows it
	// callerUser or callerRoleName, when set, make the AssumeRole record
	// show the vendor's IAM user or role session instead of only its
	// account (type AWSAccount): CloudTrail writes all three forms.
	callerUser     string
	callerRoleName string
	callerKey      string // the vendor-side access key
	sourceIdentity string
	tags           [][2]string
	ips            []string
	ua             string
	// minGap and maxGap bound the time between two polls. Sessions are
	// renewed every hour.
	minGap, maxGap time.Duration
	// sessionsPerDay < 24 makes a vendor that comes only now and then.
	sessionsPerDay int
	// active reports whether the vendor works on a day of the window.
	active func(day int) bool
	// otherEvery > 1 crawls the regions other than the first only on
	// every otherEvery-th poll.
	otherEvery int
	// polls is what one poll calls, per region kind.
	home, other []string
	// extra runs once per session after the first poll (data reads).
	extra func(g *dayGen, s *session, t time.Time) time.Time
}

// An account is one AWS account with its resources and its cast.
type account struct {
	idx   int
	id    string
	alias string
	seg   string // key and unique-id segment

	buckets   []*bucket
	functions []string
	tables    []string
	queues    []string
	topics    []string
	secrets   []string
	params    []string

	roles []*role
	users []*user

	vendors []*vendor
	// oldVendor is a vendor whose role is deleted during the window.
	oldVendor *vendor
	deleteDay int
	// createDay is when the admin creates the second vendor's role.
	createDay int

	ci       *role
	oidc     string // the GitHub OIDC provider ARN
	ciSub    string // the repository's token subject
	lambda   *role
	function string

	ssoRole   *role
	ssoStore  string
	ssoIdP    string // SAML provider ARN of the Identity Center instance
	ssoQual   string // SAML name qualifier
	ssoUsers  []*identityCenterUser
	ssoIPs    []string
	backup    *user
	reporting *user
	burstDay  int
	rootDay   int
	rootIP    string

	// archive-only cast
	apps       []*role
	svcRoles   []*role // service-linked roles
	fedOffset  time.Duration
	samlOffset time.Duration
	broker     *user // issues GetFederationToken sessions
	samlRole   *role
	samlIdP    string
	opsUsers   []*user
}

func (a *account) bucket(kind string) *bucket {
	for _, b := range a.buckets {
		if b.kind == kind {
			return b
		}
	}
	return a.buckets[0]
}

// Known vendor accounts (public facts from the vendors' documentation).
const (
	datadogAccount      = "464622532012"
	cloudzeroAccount    = "061190967865"
	laceworkAccount     = "434813966438"
	cloudabilityAccount = "165736516723"
)

// newAccount builds the cast of an account. Everything is derived from
// the world seed and the account id, so the demo and an archive account
// with the same id look alike.
func newAccount(w *world, idx int, id, alias string) *account {
	r := newRNG(w.seed, hashString(id), 0xacc)
	a := &account{idx: idx, id: id, alias: alias, seg: accountSegment(id)}
	before := func(days int) time.Time {
		return w.start.AddDate(0, 0, -days).Add(time.Duration(r.IntN(36000)) * time.Second).Add(9 * time.Hour)
	}
	for _, k := range []string{"backups", "reports", "ci", "cur", "data", "assets"} {
		name := alias + "-" + k
		switch k {
		case "ci":
			name = alias + "-ci-artifacts"
		case "cur":
			name = alias + "-cost-reports"
		case "data":
			name = alias + "-data-lake"
		}
		a.buckets = append(a.buckets, &bucket{name: name, kind: k})
	}
	a.functions = []string{"orders-api", "payments-api", "image-resizer", "nightly-report"}
	a.tables = []string{"orders", "customers", "sessions", "inventory"}
	a.queues = []string{"orders-events", "email-outbox", "image-jobs"}
	a.topics = []string{"ops-alerts", "order-notifications"}
	a.secrets = []string{"prod/orders-api/db", "prod/payments/stripe", "prod/reporting/warehouse"}
	a.params = []string{"/prod/orders-api/feature-flags", "/prod/orders-api/db-host", "/prod/shared/datadog-api-key", "/prod/reporting/schedule"}

	newRole := func(name, path string, created time.Time) *role {
		ro := &role{name: name, path: path, id: r.uniqueID("AROA", a.seg), created: created, offset: time.Duration(r.IntN(3600)) * time.Second}
		a.roles = append(a.roles, ro)
		return ro
	}
	newUser := func(name string, created, keyCreated time.Time, ip, ua string) *user {
		u := &user{name: name, id: r.uniqueID("AIDA", a.seg), key: r.accessKey("AKIA", a.seg), created: created, keyCreated: keyCreated, ip: ip, ua: ua}
		a.users = append(a.users, u)
		return u
	}

	a.createDay = min(5, max(0, w.days-2))
	a.deleteDay = min(3, w.days-1)
	a.burstDay = min(10, w.days-1)
	a.rootDay = min(6, w.days-1)

	// Vendors. Datadog polls every 10 to 15 minutes with an ExternalId;
	// CloudZero trusts the whole vendor account without one and comes on
	// a few days; Lacework's role was set up and never used; Cloudability
	// used a role that the admin deletes early in the window.
	dd := &vendor{
		name: "Datadog", account: datadogAccount,
		role:        newRole("DatadogIntegrationRole", "/", before(412)),
		externalID:  r.hex(32),
		sessionName: "DatadogAWSIntegration",
		callerRole:  "AROAWYNH3NSQ" + r.chars(base32Key, 9),
		ips:         []string{"198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.13"},
		ua:          "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) Datadog-AWS-Integration/2.0",
		minGap:      10 * time.Minute, maxGap: 15 * time.Minute,
		sessionsPerDay: 24, otherEvery: 3,
		home:  []string{"cloudwatch.GetMetricData", "cloudwatch.GetMetricData|ec2.DescribeInstances|s3.ListBuckets|tagging.GetResources|lambda.ListFunctions|rds.DescribeDBInstances|cloudwatch.ListMetrics|s3.GetBucketTagging|ec2.DescribeVolumes|dynamodb.ListTables|sqs.ListQueues|elasticloadbalancing.DescribeLoadBalancers"},
		other: []string{"cloudwatch.GetMetricData"},
	}
	cz := &vendor{
		name: "CloudZero", account: cloudzeroAccount,
		role:           newRole("CloudZeroCostRole", "/", w.start.AddDate(0, 0, a.createDay).Add(10*time.Hour+23*time.Minute)),
		sessionName:    "cloudzero-connected-account",
		callerRole:     "AROAQ4M6CZ3P" + r.chars(base32Key, 9),
		callerRoleName: "cloudzero-connector",
		callerKey:      r.accessKey("ASIA", "Q4M6CZ3P"),
		sourceIdentity: "cloudzero-ingest",
		ips:            []string{"198.51.100.40", "198.51.100.41"},
		ua:             "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36",
		minGap:         2 * time.Minute, maxGap: 6 * time.Minute,
		sessionsPerDay: 1,
		home:           []string{"ce.GetCostAndUsage", "cur.DescribeReportDefinitions|ce.GetCostAndUsage|ec2.DescribeInstances|organizations.DescribeOrganization"},
		other:          []string{"ec2.DescribeInstances|ec2.DescribeVolumes"},
	}
	cz.active = func(day int) bool {
		if w.days <= 2 { // a short window still sees the vendor once
			return day == w.days-1
		}
		return day > a.createDay && (day-a.createDay-1)%3 == 0
	}
	cz.extra = czReadCUR
	lw := &vendor{
		name: "Lacework", account: laceworkAccount,
		role:       newRole("LaceworkSecurityAuditRole", "/", before(230)),
		externalID: "lw-" + r.alnum(22),
		active:     func(int) bool { return false },
	}
	cb := &vendor{
		name: "Cloudability", account: cloudabilityAccount,
		role:        &role{name: "CloudabilityRole", path: "/", id: r.uniqueID("AROA", a.seg), created: before(700)},
		externalID:  r.uuid(),
		sessionName: "cloudability-" + r.hex(8),
		callerRole:  "AIDASB2LR9CY" + r.chars(base32Key, 9),
		callerUser:  "cloudability",
		callerKey:   r.accessKey("AKIA", "SB2LR9CY"),
		tags:        [][2]string{{"Vendor", "Cloudability"}, {"Purpose", "cost-monitoring"}},
		ips:         []string{"198.51.100.70"},
		ua:          "aws-sdk-java/1.12.770 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
		minGap:      1 * time.Minute, maxGap: 4 * time.Minute,
		sessionsPerDay: 2,
		home:           []string{"ce.GetCostAndUsage", "ec2.DescribeInstances|ec2.DescribeVolumes|ec2.DescribeSnapshots|rds.DescribeDBInstances"},
		other:          []string{"ec2.DescribeInstances|ec2.DescribeVolumes"},
	}
	cb.active = func(day int) bool { return day <= a.deleteDay }
	a.vendors = []*vendor{dd, cz, lw}
	a.oldVendor = cb

	// CI: GitHub Actions through the account's OIDC provider.
	a.oidc = "arn:aws:iam::" + id + ":oidc-provider/token.actions.githubusercontent.com"
	a.ciSub = "repo:" + alias + "/web-app:ref:refs/heads/main"
	a.ci = newRole("github-actions-deploy", "/", before(300))

	// The orders API on Lambda.
	a.function = "orders-api"
	a.lambda = newRole("orders-api-lambda-role", "/service-role/", before(500))
	a.lambda.service = "lambda.amazonaws.com"

	// IAM Identity Center administrators.
	a.ssoStore = "d-" + r.hex(10)
	a.ssoRole = newRole("AWSReservedSSO_AdministratorAccess_"+r.hex(16), "/aws-reserved/sso.amazonaws.com/", before(640))
	a.ssoIdP = "arn:aws:iam::" + id + ":saml-provider/AWSSSO_" + r.hex(16) + "_DO_NOT_DELETE"
	a.ssoQual = r.b64(27) + "="
	for _, n := range []string{"maria.garcia", "jonas.weber"} {
		a.ssoUsers = append(a.ssoUsers, &identityCenterUser{
			userID:   r.hex(8) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(12),
			storeARN: "arn:aws:identitystore::" + id + ":identitystore/" + a.ssoStore,
			name:     n + "@" + strings.TrimSuffix(alias, "-prod") + ".example",
		})
	}
	a.ssoIPs = []string{"203.0.113.21", "203.0.113.48"}

	// IAM users with long-term keys.
	a.backup = newUser("backup-sync", before(980), before(960), "192.0.2.50",
		"[aws-cli/2.17.61 md/awscrt#0.21.5 ua/2.0 os/linux#5.15.0-122-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#s3.cp]")
	a.reporting = newUser("legacy-reporting", before(1300), before(1210), "192.0.2.51",
		`legacy-reporter/3.2 ("nightly") Boto3/1.26.165 md/Botocore#1.29.165 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.9.13 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.29.165`)
	a.rootIP = "203.0.113.21"

	if w.extras {
		for i, spec := range []struct{ name, svc string }{
			{"web-app-ec2-role", "ec2.amazonaws.com"},
			{"etl-worker-role", "ec2.amazonaws.com"},
			{"api-ecs-task-role", "ecs-tasks.amazonaws.com"},
			{"image-pipeline-role", "ecs-tasks.amazonaws.com"},
		} {
			ro := newRole(spec.name, "/", before(200+i*40))
			ro.service = spec.svc
			a.apps = append(a.apps, ro)
		}
		for _, spec := range []struct{ name, svc string }{
			{"AWSServiceRoleForConfig", "config.amazonaws.com"},
			{"AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com"},
		} {
			ro := newRole(spec.name, "/aws-service-role/"+spec.svc+"/", before(900))
			ro.service = spec.svc
			a.svcRoles = append(a.svcRoles, ro)
		}
		a.fedOffset = time.Duration(r.IntN(3600)) * time.Second
		a.samlOffset = time.Duration(r.IntN(3600)) * time.Second
		a.broker = newUser("federation-broker", before(800), before(120), "192.0.2.60",
			"aws-sdk-java/2.28.16 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy")
		a.samlRole = newRole("okta-readonly", "/", before(560))
		a.samlIdP = "arn:aws:iam::" + id + ":saml-provider/Okta"
		a.opsUsers = append(a.opsUsers, newUser("ops-automation", before(700), before(30), "192.0.2.61",
			"aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.181.0"))
	}
	return a
}

// accountID returns a 12-digit account id derived from the seed.
func accountID(seed uint64, i int) string {
	r := newRNG(seed, uint64(i), 0x1d)
	b := make([]byte, 12)
	b[0] = byte('1' + r.IntN(9))
	for j := 1; j < 12; j++ {
		b[j] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// archiveAlias names the i-th synthetic account of an archive.
func archiveAlias(i int) string {
	names := [...]string{"acme-prod", "acme-staging", "acme-data", "acme-shared", "acme-sandbox", "acme-security", "acme-dev", "acme-ml"}
	a := names[i%len(names)]
	if i >= len(names) {
		a += "-" + strconv.Itoa(i/len(names)+1)
	}
	return a
}

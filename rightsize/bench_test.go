package rightsize_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// benchManaged are the AWS managed policies the principals of the
// benchmark attach, from the shared corpus.
var benchManaged = []string{"AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "CloudWatchReadOnlyAccess",
	"AWSLambdaBasicExecutionRole", "AmazonDynamoDBReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess",
	"AmazonSQSFullAccess", "AWSCloudTrail_ReadOnlyAccess", "AmazonSNSReadOnlyAccess", "IAMReadOnlyAccess",
	"AWSLambda_ReadOnlyAccess", "AmazonRDSReadOnlyAccess"}

// benchCall is a kind of call a principal of the benchmark makes.
type benchCall struct {
	source, name string
	data         bool
	objects      bool // touches objects of the principal's bucket
	queue        bool // touches the principal's queue
}

var benchCalls = []benchCall{
	{"ec2.amazonaws.com", "DescribeInstances", false, false, false},
	{"ec2.amazonaws.com", "DescribeVolumes", false, false, false},
	{"ec2.amazonaws.com", "DescribeSecurityGroups", false, false, false},
	{"monitoring.amazonaws.com", "GetMetricData", false, false, false},
	{"monitoring.amazonaws.com", "ListMetrics", false, false, false},
	{"s3.amazonaws.com", "ListBuckets", false, false, false},
	{"s3.amazonaws.com", "GetBucketPolicy", false, false, false},
	{"s3.amazonaws.com", "GetObject", true, true, false},
	{"s3.amazonaws.com", "PutObject", true, true, false},
	{"sqs.amazonaws.com", "SendMessage", true, false, true},
	{"dynamodb.amazonaws.com", "DescribeTable", false, false, false},
	{"dynamodb.amazonaws.com", "ListTables", false, false, false},
	{"lambda.amazonaws.com", "ListFunctions20150331", false, false, false},
	{"iam.amazonaws.com", "GetRole", false, false, false},
	{"iam.amazonaws.com", "ListRoles", false, false, false},
	{"cloudtrail.amazonaws.com", "DescribeTrails", false, false, false},
	{"logs.amazonaws.com", "DescribeLogGroups", false, false, false},
	{"logs.amazonaws.com", "PutLogEvents", false, false, false},
	{"sns.amazonaws.com", "ListTopics", false, false, false},
	{"rds.amazonaws.com", "DescribeDBInstances", false, false, false},
	{"organizations.amazonaws.com", "DescribeOrganization", false, false, false},
}

// benchWorld makes n principals of one account with realistic policy sets
// (one to three AWS managed policies, an inline policy of their own, a
// shared boundary for one in five) and days of usage: a handful of call
// kinds each, some daily, some weekly, S3 objects and queues of their own.
func benchWorld(tb testing.TB, n, days int) (*usage.Index, []*rightsize.Subject) {
	tb.Helper()
	r := rand.New(rand.NewPCG(21, 22))
	var managed []*policy.Policy
	for _, name := range benchManaged {
		managed = append(managed, managedPolicy(tb, name))
	}
	boundary := loadPolicy(tb, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:Create*","iam:Delete*","iam:Put*","iam:Attach*","organizations:*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)
	b := usage.NewBuilder(usage.BuilderOptions{})
	var subjects []*rightsize.Subject
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("vendor-%04d", i)
		arn := "arn:aws:iam::" + own + ":role/" + name
		bucket := fmt.Sprintf("acme-%04d", i)
		queue := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:queue-%04d", own, i)
		s := &rightsize.Subject{ARN: arn, Name: name, Kind: "role", Account: own}
		for k := 1 + r.IntN(3); k > 0; k-- {
			s.Identity = append(s.Identity, managed[r.IntN(len(managed))])
		}
		inline := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Data","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"]},
			{"Sid":"Queue","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"%[2]s"},
			{"Sid":"Keys","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
			{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:%[3]s:log-group:/vendor/*"}]}`, bucket, queue, own)
		p := loadPolicy(tb, inline)
		p.Name = `inline policy "` + name + `"`
		s.Identity = append(s.Identity, p)
		if r.IntN(5) == 0 {
			s.Boundary = boundary
		}
		subjects = append(subjects, s)

		kinds := r.Perm(len(benchCalls))[:4+r.IntN(9)]
		for _, k := range kinds {
			c := benchCalls[k]
			every := 1
			if r.IntN(3) == 0 {
				every = 7
			}
			for d := r.IntN(every); d < days; d += every {
				ev := &tailor.Event{Time: day0.AddDate(0, 0, d).Add(time.Duration(r.IntN(86400)) * time.Second),
					Account: own, Region: []string{"us-east-1", "eu-west-1"}[r.IntN(2)], Principal: arn,
					PrincipalType: tailor.IdentityAssumedRole, CallerAccount: vendor,
					EventSource: c.source, EventName: c.name, Data: c.data}
				if r.IntN(50) == 0 {
					ev.ErrorCode = "AccessDenied"
				}
				for calls := 1 + r.IntN(3); calls > 0; calls-- {
					ev.Resources = ev.Resources[:0]
					switch {
					case c.objects:
						ev.Resources = append(ev.Resources, "arn:aws:s3:::"+bucket, fmt.Sprintf("arn:aws:s3:::%s/data/%02d.json", bucket, r.IntN(40)))
					case c.queue:
						ev.Resources = append(ev.Resources, queue)
					}
					b.Add(ev, true)
				}
			}
		}
	}
	return usage.Finish(usage.Meta{}, b), subjects
}

// TestBenchWorld runs a small benchmark world: every suggestion must be
// built and verified, and the guarantees hold on sampled requests.
func TestBenchWorld(t *testing.T) {
	ix, subjects := benchWorld(t, 40, 30)
	rs, err := rightsize.New(testCatalog(t), ix, rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 30), Resources: rightsize.ResourcesObserved})
	if err != nil {
		t.Fatal(err)
	}
	used, allowed := 0, 0
	for _, res := range rs.SuggestAll(context.Background(), subjects) {
		if res.Err != nil {
			t.Fatalf("%s: %v", res.Subject.Name, res.Err)
		}
		sug := res.Suggestion
		if sug.Granted < sug.Used || !sug.Verification.NoNewAccess || sug.Verification.ObservedRequests == 0 {
			t.Errorf("%s: granted %d used %d verification %+v", sug.Name, sug.Granted, sug.Used, sug.Verification)
		}
		used += sug.Used
		allowed += sug.Verification.AllowedToday
	}
	// Calls are drawn regardless of the grants: most, not all, are allowed.
	if used < len(subjects) || allowed < len(subjects) {
		t.Errorf("%d actions used and %d observed requests allowed over %d principals: the world is not realistic", used, allowed, len(subjects))
	}
}

var (
	benchOnce     sync.Once
	benchIndex    *usage.Index
	benchSubjects []*rightsize.Subject
)

func benchSetup(b *testing.B) (*usage.Index, []*rightsize.Subject) {
	benchOnce.Do(func() { benchIndex, benchSubjects = benchWorld(b, 1000, 90) })
	if benchIndex == nil {
		b.Skip("benchmark world not built")
	}
	return benchIndex, benchSubjects
}

var benchOpts = rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 90), Resources: rightsize.ResourcesObserved}

// BenchmarkRightsize rightsizes 1,000 principals with 90 days of usage:
// the rightsizer built from the index (every call row read and mapped),
// then every suggestion, verified.
func BenchmarkRightsize(b *testing.B) {
	ix, subjects := benchSetup(b)
	cat := testCatalog(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		rs, err := rightsize.New(cat, ix, benchOpts)
		if err != nil {
			b.Fatal(err)
		}
		for _, res := range rs.SuggestAll(context.Background(), subjects) {
			if res.Err != nil {
				b.Fatalf("%s: %v", res.Subject.Name, res.Err)
			}
		}
	}
	b.ReportMetric(float64(len(subjects)), "principals/op")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkNew is the first part of BenchmarkRightsize: reading the
// index's rows into the rightsizer.
func BenchmarkNew(b *testing.B) {
	ix, _ := benchSetup(b)
	cat := testCatalog(b)
	b.Logf("index: %d rows", ix.Len())
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := rightsize.New(cat, ix, benchOpts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkSuggestAll is the second part: every suggestion, verified.
func BenchmarkSuggestAll(b *testing.B) {
	ix, subjects := benchSetup(b)
	rs, err := rightsize.New(testCatalog(b), ix, benchOpts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, res := range rs.SuggestAll(context.Background(), subjects) {
			if res.Err != nil {
				b.Fatalf("%s: %v", res.Subject.Name, res.Err)
			}
		}
	}
	b.ReportMetric(float64(len(subjects)), "principals/op")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkNotActionStatements rightsizes a role whose policy holds n
// NotAction statements, half on "*" and half on a bucket each, that used
// nothing: the cost must grow with n, not n².
func BenchmarkNotActionStatements(b *testing.B) {
	for _, n := range []int{25, 200, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var st []string
			for i := 0; i < n; i++ {
				res := `"*"`
				if i%2 == 1 {
					res = fmt.Sprintf(`"arn:aws:s3:::b%d/*"`, i)
				}
				st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","NotAction":["%s","ec2:Describe%d*"],"Resource":%s}`,
					i, []string{"s3:GetObject", "ec2:RunInstances", "iam:CreateUser", "kms:Decrypt"}[i%4], i, res))
			}
			sc := scenario{arn: role, policies: []string{`{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`}}
			ix := sc.index(b)
			cat := testCatalog(b)
			for b.Loop() {
				rs, err := rightsize.New(cat, ix, rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rs.Suggest(context.Background(), sc.subject(b)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

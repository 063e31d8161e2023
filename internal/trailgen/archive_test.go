package trailgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/internal/trailgen"
)

func TestWriteArchiveDeterministic(t *testing.T) {
	t.Parallel()
	opts := trailgen.Options{Size: 2 << 20, Accounts: 2, Regions: 1, Days: 1, Seed: 42, Digests: true}
	write := func(workers int, seed uint64) map[string][]byte {
		o := opts
		o.Workers, o.Seed = workers, seed
		dir := t.TempDir()
		if _, err := trailgen.WriteArchive(context.Background(), dir, o); err != nil {
			t.Fatal(err)
		}
		return treeBytes(t, dir)
	}
	one, two := write(1, 42), write(2, 42)
	if len(one) == 0 {
		t.Fatal("no files written")
	}
	if len(one) != len(two) {
		t.Fatalf("1 worker wrote %d files, 2 workers %d", len(one), len(two))
	}
	for name, b := range one {
		if !bytes.Equal(b, two[name]) {
			t.Errorf("%s differs between 1 and 2 workers", name)
		}
	}
	other := write(2, 43)
	same := 0
	for name, b := range other {
		if bytes.Equal(b, one[name]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seed 43 reproduced %d files of seed 42", same)
	}
}

func TestSummaryMatchesFiles(t *testing.T) {
	_, sum := smallArchive(t)
	logs := smallLogFiles(t)
	var records, raw int64
	for _, f := range logs {
		records += int64(len(f.records))
		raw += int64(len(f.raw))
	}
	if sum.Files != len(logs) || sum.Records != records || sum.Bytes != raw {
		t.Errorf("summary %+v, files on disk: %d files, %d records, %d bytes", sum, len(logs), records, raw)
	}
	if !strings.Contains(sum.String(), "records") {
		t.Errorf("summary line %q", sum.String())
	}
}

// The fields every record of a modern trail carries, and the values they
// take.
func TestRecordFields(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	always := []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID", "eventType",
		"managementEvent", "recipientAccountId", "eventCategory"}
	n := 0
	for _, f := range smallLogFiles(t) {
		for i, r := range f.records {
			n++
			where := func() string { return f.rel + " record " + itoa(i) }
			for _, k := range always {
				if _, ok := r[k]; !ok {
					t.Errorf("%s: no %s", where(), k)
				}
			}
			et, err := time.Parse(time.RFC3339, str(r, "eventTime"))
			if err != nil {
				t.Errorf("%s: eventTime %q: %v", where(), str(r, "eventTime"), err)
			} else if !et.Before(f.t) || et.Before(f.t.Add(-30*time.Minute)) {
				t.Errorf("%s: eventTime %v is not in the half hour before the file time %v", where(), et, f.t)
			}
			if str(r, "recipientAccountId") != f.account || str(r, "awsRegion") != f.region {
				t.Errorf("%s: account %s region %s in a file of %s %s", where(), str(r, "recipientAccountId"), str(r, "awsRegion"), f.account, f.region)
			}
			if !uuid.MatchString(str(r, "eventID")) {
				t.Errorf("%s: eventID %q is not a UUID", where(), str(r, "eventID"))
			}
			kind := str(r, "eventType")
			switch kind {
			case "AwsApiCall":
				if _, ok := r["requestID"]; !ok {
					t.Errorf("%s: API call without requestID", where())
				}
				if _, ok := r["readOnly"].(bool); !ok {
					t.Errorf("%s: API call without readOnly", where())
				}
			case "AwsServiceEvent", "AwsConsoleSignIn":
			default:
				t.Errorf("%s: eventType %q", where(), kind)
			}
			data := str(r, "eventCategory") == "Data"
			if mgmt, _ := r["managementEvent"].(bool); mgmt == data || (!data && str(r, "eventCategory") != "Management") {
				t.Errorf("%s: managementEvent %v with eventCategory %q", where(), r["managementEvent"], str(r, "eventCategory"))
			}
			if !strings.HasSuffix(str(r, "eventSource"), ".amazonaws.com") {
				t.Errorf("%s: eventSource %q", where(), str(r, "eventSource"))
			}
			if code := str(r, "errorCode"); code != "" && r["responseElements"] != nil {
				t.Errorf("%s: error %s with a response", where(), code)
			}
			for _, res := range anySlice(r["resources"]) {
				if str(res, "type") == "" || (str(res, "ARN") == "" && str(res, "ARNPrefix") == "") {
					t.Errorf("%s: resource %v without type or ARN", where(), res)
				}
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d records in the small archive", n)
	}
}

// The top-level fields that real native CloudTrail files carry in most
// records are carried in most generated records too, in the same order.
func TestRecordFieldsLikeRealTrail(t *testing.T) {
	real := shareddata.Dir(t, "cloudtrail", "invictus-aws_dataset")
	files, err := filepathGlob(real, "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no real log files in %s: %v", real, err)
	}
	realShare, realOrder := fieldShares(t, files)
	var recs []map[string]any
	var raws [][]byte
	for _, f := range smallLogFiles(t) {
		recs = append(recs, f.records...)
		raws = append(raws, f.raw)
	}
	ours := map[string]float64{}
	for _, r := range recs {
		for k := range r {
			ours[k]++
		}
	}
	for k, share := range realShare {
		if share >= 0.5 && ours[k]/float64(len(recs)) < 0.5 {
			t.Errorf("field %s: in %.0f%% of real records, %.0f%% of generated ones", k, 100*share, 100*ours[k]/float64(len(recs)))
		}
	}
	// Fields newer than that 2023 trail must appear in other real records.
	known := map[string]bool{}
	for k := range realShare {
		known[k] = true
	}
	if p := shareddata.Dir(t, "cloudtrail", "panther-analysis-derived"); p != "" {
		more, err := filepathGlob(p, "panther_cloudtrail_test_events.json")
		if err != nil || len(more) == 0 {
			t.Fatalf("no Panther test events in %s", p)
		}
		share, _ := fieldShares(t, more)
		for k := range share {
			known[k] = true
		}
	}
	for k := range ours {
		if !known[k] {
			t.Errorf("field %s is never in the real records", k)
		}
	}
	// Key order: every generated record lists its keys in the order
	// real records do.
	rank := map[string]int{}
	for i, k := range realOrder {
		rank[k] = i
	}
	for _, raw := range raws[:min(len(raws), 50)] {
		for _, keys := range topLevelKeyOrders(t, raw) {
			var ranked []string
			for _, k := range keys {
				if _, ok := rank[k]; ok {
					ranked = append(ranked, k)
				}
			}
			keys = ranked
			for i := 1; i < len(keys); i++ {
				if rank[keys[i-1]] > rank[keys[i]] {
					t.Fatalf("key %s before %s; real records have the opposite order", keys[i-1], keys[i])
				}
			}
		}
	}
}

func TestCoverage(t *testing.T) {
	types := map[string]int{}
	kinds := map[string]int{}
	calls := map[string]int{}
	errs := map[string]int{}
	sso, invoked, console, vpce := 0, 0, 0, 0
	var all bytes.Buffer
	for _, f := range smallLogFiles(t) {
		all.Write(f.raw)
		for _, r := range f.records {
			id := r["userIdentity"].(map[string]any)
			typ, ok := id["type"].(string)
			if !ok {
				typ = "(none)"
			}
			types[typ]++
			kinds[str(r, "eventType")]++
			calls[strings.TrimSuffix(str(r, "eventSource"), ".amazonaws.com")+":"+str(r, "eventName")+":"+str(r, "eventCategory")]++
			errs[str(r, "errorCode")]++
			if strings.HasPrefix(str(id, "sessionContext", "sessionIssuer", "userName"), "AWSReservedSSO_") {
				sso++
			}
			if str(id, "invokedBy") != "" {
				invoked++
			}
			if str(r, "sessionCredentialFromConsole") == "true" {
				console++
			}
			if str(r, "vpcEndpointId") != "" {
				vpce++
			}
		}
	}
	for _, typ := range []string{"IAMUser", "AssumedRole", "Root", "FederatedUser", "AWSService", "AWSAccount",
		"IdentityCenterUser", "WebIdentityUser", "SAMLUser", "(none)"} {
		if types[typ] == 0 {
			t.Errorf("no record with userIdentity.type %s", typ)
		}
	}
	for _, k := range []string{"AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"} {
		if kinds[k] == 0 {
			t.Errorf("no record with eventType %s", k)
		}
	}
	for _, c := range []string{"s3:GetObject:Data", "s3:PutObject:Data", "s3:HeadObject:Data", "s3:ListObjects:Data",
		"lambda:Invoke:Data", "dynamodb:GetItem:Data", "dynamodb:PutItem:Data",
		"sts:AssumeRole:Management", "sts:AssumeRoleWithWebIdentity:Management", "sts:AssumeRoleWithSAML:Management",
		"sts:GetFederationToken:Management", "signin:ConsoleLogin:Management", "kms:Decrypt:Management",
		"secretsmanager:GetSecretValue:Management", "ssm:GetParameter:Management", "iam:CreateRole:Management",
		"ec2:DescribeInstances:Management", "sqs:SendMessage:Data", "sns:Publish:Data"} {
		if calls[c] == 0 {
			t.Errorf("no %s record", c)
		}
	}
	for _, e := range []string{"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "ThrottlingException", "NoSuchKey"} {
		if errs[e] == 0 {
			t.Errorf("no record with errorCode %s", e)
		}
	}
	if sso == 0 || invoked == 0 || console == 0 || vpce == 0 {
		t.Errorf("records of Identity Center sessions %d, invoked by a service %d, from the console %d, through a VPC endpoint %d; want some of each", sso, invoked, console, vpce)
	}
	for _, esc := range []string{`\"`, `\\`, `\/`, `\u00e9`} {
		if !bytes.Contains(all.Bytes(), []byte(esc)) {
			t.Errorf("no string with the escape %s", esc)
		}
	}
}

// Every key a vendor's session uses was issued by an AssumeRole from the
// vendor's account, wherever the files with the calls sort.
func TestCrossAccountSessions(t *testing.T) {
	type issue struct {
		file   *logFile
		region string
		caller string
		extID  bool
	}
	issued := map[string]issue{}
	callerTypes := map[string]int{}
	logs := smallLogFiles(t)
	for _, f := range logs {
		for _, r := range f.records {
			if str(r, "eventName") != "AssumeRole" || str(r, "errorCode") != "" {
				continue
			}
			caller := str(r, "userIdentity", "accountId")
			if caller == "" || caller == f.account {
				continue
			}
			callerTypes[str(r, "userIdentity", "type")]++
			key := str(r, "responseElements", "credentials", "accessKeyId")
			if !strings.HasPrefix(key, "ASIA") || len(key) != 20 {
				t.Errorf("%s: AssumeRole returned key %q", f.rel, key)
			}
			if !strings.HasPrefix(str(r, "responseElements", "assumedRoleUser", "arn"), "arn:aws:sts::"+f.account+":assumed-role/") {
				t.Errorf("%s: assumedRoleUser %v", f.rel, r["responseElements"])
			}
			issued[key] = issue{file: f, region: str(r, "awsRegion"), caller: caller, extID: str(r, "requestParameters", "externalId") != ""}
		}
	}
	vendorRoles := map[string]bool{"DatadogIntegrationRole": true, "CloudZeroCostRole": true, "CloudabilityRole": true}
	calls, earlier, otherRegion := 0, 0, 0
	callers := map[string]bool{}
	for _, f := range logs {
		for _, r := range f.records {
			role := str(r, "userIdentity", "sessionContext", "sessionIssuer", "userName")
			if !vendorRoles[role] {
				continue
			}
			calls++
			key := str(r, "userIdentity", "accessKeyId")
			is, ok := issued[key]
			if !ok {
				t.Errorf("%s: %s call with key %s that no AssumeRole from another account issued", f.rel, role, key)
				continue
			}
			callers[is.caller] = true
			if f.t.Before(is.file.t) {
				earlier++
			}
			if f.region != is.region {
				otherRegion++
			}
		}
	}
	if calls == 0 || len(issued) == 0 {
		t.Fatalf("%d vendor calls, %d keys issued to other accounts", calls, len(issued))
	}
	if earlier == 0 || otherRegion == 0 {
		t.Errorf("of %d vendor calls, %d are in files earlier than their AssumeRole's and %d in another region; want some of both", calls, earlier, otherRegion)
	}
	for _, acct := range []string{"464622532012", "061190967865"} {
		if !callers[acct] {
			t.Errorf("no session of vendor account %s", acct)
		}
	}
	withID, withoutID := 0, 0
	for _, is := range issued {
		switch {
		case is.caller == "464622532012" && is.extID:
			withID++
		case is.caller == "061190967865" && !is.extID:
			withoutID++
		case is.caller == "464622532012" || is.caller == "061190967865":
			t.Errorf("AssumeRole from %s with ExternalId %v", is.caller, is.extID)
		}
	}
	if withID == 0 || withoutID == 0 {
		t.Errorf("Datadog sessions with an ExternalId %d, CloudZero sessions without %d", withID, withoutID)
	}
	for _, typ := range []string{"AWSAccount", "AssumedRole", "IAMUser"} {
		if callerTypes[typ] == 0 {
			t.Errorf("no AssumeRole from another account shows a caller of type %s", typ)
		}
	}
	sourced := 0
	for _, f := range logs {
		for _, r := range f.records {
			if src := str(r, "userIdentity", "sessionContext", "sourceIdentity"); src != "" {
				sourced++
				if key := str(r, "userIdentity", "accessKeyId"); issued[key].file == nil {
					t.Errorf("%s: session with source identity %s and a key not issued across accounts", f.rel, src)
				}
			}
		}
	}
	if sourced == 0 {
		t.Errorf("no call made by a session with a source identity")
	}
}

// File sizes vary as in real trails, and the archive is about the size
// asked for.
func TestArchiveSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := int64(8 << 20)
	sum, err := trailgen.WriteArchive(context.Background(), dir, trailgen.Options{Size: want, Accounts: 1, Regions: 2, Days: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Bytes < want*8/10 || sum.Bytes > want*12/10 {
		t.Errorf("asked %d bytes, wrote %d", want, sum.Bytes)
	}
	lo, hi := int(^uint(0)>>1), 0
	for _, f := range readLogs(t, dir) {
		lo, hi = min(lo, len(f.raw)), max(hi, len(f.raw))
	}
	if lo > 4<<10 || hi < 200<<10 {
		t.Errorf("uncompressed file sizes from %d to %d bytes; want a few KB to hundreds of KB", lo, hi)
	}
	if avg := sum.Bytes / sum.Records; avg < 1200 || avg > 2200 {
		t.Errorf("average record %d bytes, want about 1.5 to 2 KB", avg)
	}
}

func TestWriteArchiveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := trailgen.WriteArchive(ctx, t.TempDir(), trailgen.Options{Size: 1 << 20, Accounts: 1, Regions: 1, Days: 3})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   trailgen.Options
		prefix string
	}{
		{"account", trailgen.Options{}, "AWSLogs/"},
		{"organization", trailgen.Options{OrgID: "o-zz9x8y7w6v"}, "AWSLogs/o-zz9x8y7w6v/"},
		{"prefix", trailgen.Options{Prefix: "/trails/prod/"}, "trails/prod/AWSLogs/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Size, o.Accounts, o.Regions, o.Days = 1<<20, 1, 1, 1
			dir := t.TempDir()
			if _, err := trailgen.WriteArchive(context.Background(), dir, o); err != nil {
				t.Fatal(err)
			}
			logs := readLogs(t, dir)
			if len(logs) == 0 {
				t.Fatal("no log files")
			}
			for _, f := range logs {
				if !strings.HasPrefix(f.rel, tt.prefix) {
					t.Fatalf("%s does not start with %s", f.rel, tt.prefix)
				}
			}
		})
	}
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// BenchmarkWriteArchive measures generation speed in uncompressed bytes
// of records per second, gzip and file writes included.
func BenchmarkWriteArchive(b *testing.B) {
	opts := trailgen.Options{Size: 32 << 20, Accounts: 1, Regions: 2, Days: 2, Seed: 1}
	var bytes int64
	for b.Loop() {
		sum, err := trailgen.WriteArchive(context.Background(), b.TempDir(), opts)
		if err != nil {
			b.Fatal(err)
		}
		bytes = sum.Bytes
	}
	b.SetBytes(bytes)
}

package trailgen_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/trailgen"
)

// demoDir is the committed demo data set.
const demoDir = "../../testdata/demo"

// The committed demo is exactly what the generator makes. The demo is
// generated over a copy of the committed one with a stray file added:
// Demo replaces an earlier demo whole.
func TestDemoUpToDate(t *testing.T) {
	t.Parallel()
	want := treeBytes(t, demoDir)
	if len(want) == 0 {
		t.Fatalf("no demo at %s", demoDir)
	}
	dir := t.TempDir()
	for name, b := range want {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(dir, "AWSLogs", "stale.json.gz")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := trailgen.Demo(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file of the earlier demo survived: %v", err)
	}
	got := treeBytes(t, dir)
	const hint = "regenerate it with: go run ./cmd/trailgen demo -o testdata/demo"
	for name, b := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s is generated but not in %s; %s", name, demoDir, hint)
		case !bytes.Equal(b, w):
			how := "contents differ"
			if strings.HasSuffix(name, ".gz") && bytes.Equal(gunzipBytes(t, b), gunzipBytes(t, w)) {
				how = "same records, different compression (a compress library update?)"
			}
			t.Errorf("%s: %s; %s", name, how, hint)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s is in %s but no longer generated; %s", name, demoDir, hint)
		}
	}
}

func gunzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	raw, _ := io.ReadAll(zr)
	return raw
}

func TestDemoRefusesOtherDirectories(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := trailgen.Demo(dir); !errors.Is(err, trailgen.ErrNotDemo) {
		t.Errorf("got %v, want ErrNotDemo", err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Errorf("the directory's file was touched: %q %v", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Demo wrote into a foreign directory: %d entries", len(entries))
	}
}

// demoRecords reads the committed demo's records.
func demoRecords(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, f := range readLogs(t, demoDir) {
		out = append(out, f.records...)
	}
	if len(out) == 0 {
		t.Fatalf("no records in %s", demoDir)
	}
	return out
}

type iamSnapshot struct {
	UserDetailList []struct {
		UserName string
		Arn      string
	}
	RoleDetailList []struct {
		RoleName                 string
		Arn                      string
		AssumeRolePolicyDocument struct {
			Statement []struct {
				Principal map[string]any
				Condition map[string]map[string]any
			}
		}
		PermissionsBoundary *struct{ PermissionsBoundaryArn string }
		RoleLastUsed        struct{ LastUsedDate, Region string }
	}
	Policies []struct {
		PolicyName      string
		AttachmentCount int
	}
}

// The demo tells the story its README promises, and its IAM snapshot and
// credential report agree with its logs.
func TestDemoStory(t *testing.T) {
	t.Parallel()
	recs := demoRecords(t)
	var snap iamSnapshot
	b, err := os.ReadFile(filepath.Join(demoDir, "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatalf("iam.json: %v", err)
	}
	roles := map[string]int{}
	for i, r := range snap.RoleDetailList {
		roles[r.RoleName] = i
	}
	const (
		datadog, cloudzero, cloudability = "464622532012", "061190967865", "165736516723"
	)

	// Successful assumptions per role, and who made them.
	lastAssumed := map[string]time.Time{}
	byCaller := map[string][]map[string]any{}
	for _, r := range recs {
		if str(r, "recipientAccountId") != "364851209736" {
			t.Fatalf("record of account %s in the demo", str(r, "recipientAccountId"))
		}
		et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
		if et.Before(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) || !et.Before(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("record at %v, outside the window", et)
		}
		if !strings.HasPrefix(str(r, "eventName"), "AssumeRole") {
			continue
		}
		if acct := str(r, "userIdentity", "accountId"); acct != "" && acct != "364851209736" {
			byCaller[acct] = append(byCaller[acct], r)
		}
		if str(r, "errorCode") == "" {
			arn := str(r, "requestParameters", "roleArn")
			name := arn[strings.LastIndexByte(arn, '/')+1:]
			if et.After(lastAssumed[name]) {
				lastAssumed[name] = et
			}
		}
	}

	t.Run("Datadog uses its ExternalId", func(t *testing.T) {
		role := snap.RoleDetailList[roles["DatadogIntegrationRole"]]
		st := role.AssumeRolePolicyDocument.Statement[0]
		want, _ := st.Condition["StringEquals"]["sts:ExternalId"].(string)
		if want == "" || st.Principal["AWS"] != "arn:aws:iam::"+datadog+":root" {
			t.Fatalf("trust policy %+v", st)
		}
		if len(byCaller[datadog]) < 14*20 {
			t.Errorf("%d Datadog assumptions in 14 days", len(byCaller[datadog]))
		}
		for _, r := range byCaller[datadog] {
			if got := str(r, "requestParameters", "externalId"); got != want {
				t.Fatalf("Datadog AssumeRole with ExternalId %q, trust wants %q", got, want)
			}
		}
	})
	t.Run("CloudZero trusts the whole account, created in the window", func(t *testing.T) {
		role := snap.RoleDetailList[roles["CloudZeroCostRole"]]
		st := role.AssumeRolePolicyDocument.Statement[0]
		if st.Condition != nil || st.Principal["AWS"] != "arn:aws:iam::"+cloudzero+":root" {
			t.Errorf("trust policy %+v", st)
		}
		days := map[string]bool{}
		var first string
		for _, r := range byCaller[cloudzero] {
			if str(r, "requestParameters", "externalId") != "" {
				t.Errorf("CloudZero sent an ExternalId")
			}
			days[str(r, "eventTime")[:10]] = true
			if first == "" || str(r, "eventTime") < first {
				first = str(r, "eventTime")
			}
		}
		if len(days) < 2 || len(days) > 4 {
			t.Errorf("CloudZero came on %d days, want a few", len(days))
		}
		created := ""
		for _, r := range recs {
			if str(r, "eventName") == "CreateRole" && str(r, "requestParameters", "roleName") == "CloudZeroCostRole" {
				created = str(r, "eventTime")
				if !strings.Contains(str(r, "requestParameters", "assumeRolePolicyDocument"), cloudzero) {
					t.Errorf("CreateRole trust %q does not name %s", str(r, "requestParameters", "assumeRolePolicyDocument"), cloudzero)
				}
			}
		}
		if created == "" || created > first {
			t.Errorf("role created at %q, first used at %q", created, first)
		}
	})
	t.Run("Lacework never came", func(t *testing.T) {
		role := snap.RoleDetailList[roles["LaceworkSecurityAuditRole"]]
		if role.RoleLastUsed.LastUsedDate != "" {
			t.Errorf("RoleLastUsed %+v", role.RoleLastUsed)
		}
		for _, r := range recs {
			if strings.Contains(str(r, "requestParameters", "roleArn"), "Lacework") {
				t.Fatalf("a record assumes the Lacework role")
			}
		}
	})
	t.Run("Cloudability's role is gone but the vendor still tries", func(t *testing.T) {
		if _, ok := roles["CloudabilityRole"]; ok {
			t.Errorf("CloudabilityRole is still in iam.json")
		}
		var deleted string
		for _, r := range recs {
			if str(r, "eventName") == "DeleteRole" && str(r, "requestParameters", "roleName") == "CloudabilityRole" {
				deleted = str(r, "eventTime")
			}
		}
		if deleted == "" {
			t.Fatal("no DeleteRole of CloudabilityRole")
		}
		ok, denied := 0, 0
		for _, r := range byCaller[cloudability] {
			if str(r, "errorCode") == "" {
				ok++
				if str(r, "eventTime") > deleted {
					t.Errorf("Cloudability assumed the role after it was deleted")
				}
			} else {
				denied++
			}
		}
		if ok == 0 || denied == 0 {
			t.Errorf("Cloudability assumptions: %d successful, %d denied", ok, denied)
		}
		for _, p := range snap.Policies {
			if p.PolicyName == "CloudabilityMonitorResources" && p.AttachmentCount != 0 {
				t.Errorf("leftover policy is attached %d times", p.AttachmentCount)
			}
		}
	})
	t.Run("RoleLastUsed matches the logs", func(t *testing.T) {
		bounded := 0
		for _, r := range snap.RoleDetailList {
			if r.PermissionsBoundary != nil {
				bounded++
			}
			last, ok := lastAssumed[r.RoleName]
			if !ok {
				continue
			}
			if got := r.RoleLastUsed.LastUsedDate; got != last.Format("2006-01-02T15:04:05+00:00") {
				t.Errorf("%s: RoleLastUsed %q, last assumed in the logs %v", r.RoleName, got, last)
			}
		}
		if bounded != 1 {
			t.Errorf("%d roles with a permission boundary, want 1", bounded)
		}
	})
	t.Run("credential report matches the users and the logs", func(t *testing.T) {
		f, err := os.Open(filepath.Join(demoDir, "credential-report.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		lastUse := map[string]time.Time{} // by user ARN, long-term keys only
		for _, r := range recs {
			if strings.HasPrefix(str(r, "userIdentity", "accessKeyId"), "AKIA") {
				et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
				if a := str(r, "userIdentity", "arn"); et.After(lastUse[a]) {
					lastUse[a] = et
				}
			}
		}
		users := map[string]bool{}
		for _, u := range snap.UserDetailList {
			users[u.Arn] = true
		}
		for _, row := range rows[1:] {
			arn := row[col["arn"]]
			if row[col["user"]] == "<root_account>" {
				if row[col["password_last_used"]] == "N/A" {
					t.Errorf("root's console sign-in is not in the report")
				}
				continue
			}
			if !users[arn] {
				t.Errorf("report has %s, iam.json does not", arn)
			}
			delete(users, arn)
			if got, want := row[col["access_key_1_last_used_date"]], lastUse[arn].Format("2006-01-02T15:04:05+00:00"); got != want {
				t.Errorf("%s: key last used %s in the report, %s in the logs", arn, got, want)
			}
		}
		for arn := range users {
			t.Errorf("%s is in iam.json but not in the report", arn)
		}
	})
	t.Run("a burst of denied calls from a leaked key", func(t *testing.T) {
		var denied []time.Time
		for _, r := range recs {
			code := str(r, "errorCode")
			if str(r, "userIdentity", "userName") == "legacy-reporting" && (strings.Contains(code, "AccessDenied") || strings.Contains(code, "Unauthorized")) {
				et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
				denied = append(denied, et)
			}
		}
		sort.Slice(denied, func(i, j int) bool { return denied[i].Before(denied[j]) })
		best := 0
		for i := range denied {
			j := i
			for j < len(denied) && denied[j].Sub(denied[i]) <= 5*time.Minute {
				j++
			}
			best = max(best, j-i)
		}
		if best < 30 {
			t.Errorf("at most %d denied calls of legacy-reporting within 5 minutes", best)
		}
	})
	t.Run("root signs in, S3 data events", func(t *testing.T) {
		root := 0
		buckets := map[string]bool{}
		for _, r := range recs {
			if str(r, "eventName") == "ConsoleLogin" && str(r, "userIdentity", "type") == "Root" {
				root++
			}
			if str(r, "eventCategory") == "Data" && str(r, "eventSource") == "s3.amazonaws.com" {
				buckets[str(r, "requestParameters", "bucketName")] = true
			}
		}
		if root != 1 || len(buckets) < 2 {
			t.Errorf("%d root sign-ins, S3 data events on %d buckets", root, len(buckets))
		}
	})
}

// The demo stays small enough to commit.
func TestDemoSize(t *testing.T) {
	total := 0
	for _, b := range treeBytes(t, demoDir) {
		total += len(b)
	}
	if total > 2500<<10 {
		t.Errorf("demo is %d KiB", total>>10)
	}
}

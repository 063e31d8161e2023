package report_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// htmlDemoInput builds, once, everything the HTML report of the bundled
// demo shows: the review (with the vendors of testdata/review/vendors.yaml),
// suggestions for the third-party roles and users, their timeline, the
// usage index and the snapshot.
var htmlDemoInput = sync.OnceValues(func() (*report.HTMLInput, error) {
	ctx := context.Background()
	src, err := ingest.LocalSource(filepath.Join(demoDir, "AWSLogs"), nil)
	if err != nil {
		return nil, err
	}
	sessions := usage.NewSessions()
	builders := make([]*usage.Builder, 2)
	spools := make([]*usage.ActivitySpool, 2)
	for i := range spools {
		if spools[i], err = usage.NewActivitySpool(demo.tmp); err != nil {
			return nil, err
		}
	}
	if _, err := ingest.Run(ctx, []ingest.Source{src}, ingest.Options{
		Workers: 2,
		Decoder: ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		NewSink: func(i int) ingest.Sink {
			builders[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
			return ingest.Tee(builders[i], spools[i])
		},
	}); err != nil {
		return nil, err
	}
	events := filepath.Join(demo.tmp, "html-events.parquet")
	if err := usage.FinishActivity(events, false, sessions, spools...); err != nil {
		return nil, err
	}
	ix := usage.Finish(usage.Meta{}, builders...)
	snap, err := account.LoadFile(filepath.Join(demoDir, "iam.json"))
	if err != nil {
		return nil, err
	}
	cr, err := account.LoadCredentialReport(filepath.Join(demoDir, "credential-report.csv"))
	if err != nil {
		return nil, err
	}
	vendors, err := review.LoadVendors(filepath.Join("testdata", "review", "vendors.yaml"))
	if err != nil {
		return nil, err
	}
	cat, err := catalog.Embedded()
	if err != nil {
		return nil, err
	}
	resources, err := account.LoadResources(filepath.Join(demoDir, "resources.json"))
	if err != nil {
		return nil, err
	}
	scan := func(fn func(*usage.Activity) error) error { return usage.ScanActivity(events, fn) }
	rep, err := review.Review(ctx, review.Input{
		Snapshot: snap, Usage: ix, Credentials: cr, Vendors: vendors, Events: scan, Resources: resources,
		IAMPath: "testdata/demo/iam.json", UsagePath: "usage.parquet", EventsPath: "events.parquet",
		CredentialsPath: "testdata/demo/credential-report.csv", ResourcesPath: "testdata/demo/resources.json",
	}, review.Options{Catalog: cat})
	if err != nil {
		return nil, err
	}
	rs, err := rightsize.New(cat, ix, rightsize.Options{Workers: 2})
	if err != nil {
		return nil, err
	}
	run := &report.RightsizeRun{Tool: "tailor test", Catalog: cat.Source(), Window: rs.Window()}
	var subjects []*rightsize.Subject
	var sel review.Selection
	for _, p := range rep.Principals {
		if !p.ThirdParty {
			continue
		}
		if p.Kind == review.KindAccount {
			for _, pt := range p.Parties {
				sel.CallerAccounts = append(sel.CallerAccounts, pt.Account)
			}
			continue
		}
		if p.Kind == review.KindResource {
			continue
		}
		sel.Principals = append(sel.Principals, p.ARN)
		pr, err := snap.Principal(p.ARN)
		if err != nil {
			return nil, err
		}
		s, err := rs.Subject(snap, pr)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, s)
	}
	for _, res := range rs.SuggestAll(ctx, subjects) {
		if res.Err != nil {
			return nil, res.Err
		}
		run.Suggestions = append(run.Suggestions, res.Suggestion)
	}
	tl, err := review.BuildTimeline(ctx, scan, sel, review.TimelineOptions{})
	if err != nil {
		return nil, err
	}
	return &report.HTMLInput{Tool: "tailor test", Catalog: cat.Source(), Review: rep, Rightsize: run,
		Timeline: tl, Usage: ix, Snapshot: snap}, nil
})

func demoHTML(t testing.TB) []byte {
	t.Helper()
	in, err := htmlDemoInput()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	opts := report.HTMLOptions{Files: func(s *rightsize.Suggestion) string {
		return "rightsize/" + report.RightsizeFileName(s.Name) + ".{policy.json,diff,report.json,tf,cfn.yaml}"
	}}
	if err := report.WriteHTML(&b, in, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var htmlDataScript = regexp.MustCompile(`<script type="application/(json|gzip)" id="tailor-([a-z0-9]+)">([^<]*)</script>`)

// embeddedData returns the JSON documents a report embeds, by id
// ("index", "p0", ...), in page order, unpacking the gzipped ones.
func embeddedData(t testing.TB, page []byte) (ids []string, docs map[string]json.RawMessage) {
	t.Helper()
	docs = map[string]json.RawMessage{}
	for _, m := range htmlDataScript.FindAllSubmatch(page, -1) {
		id, data := string(m[2]), m[3]
		if string(m[1]) == "gzip" {
			z, err := base64.StdEncoding.DecodeString(string(data))
			if err != nil {
				t.Fatalf("the data of %s: %v", id, err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatalf("the data of %s: %v", id, err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("the data of %s: %v", id, err)
			}
		}
		m[2] = data
		if !json.Valid(m[2]) {
			t.Fatalf("the data of %s is not JSON", id)
		}
		ids = append(ids, id)
		docs[id] = data
	}
	if len(ids) == 0 || ids[0] != "index" {
		t.Fatalf("no index document first: %v", ids)
	}
	return ids, docs
}

// TestHTMLDemoData compares the data the demo's report embeds with
// testdata/html/demo.json.golden, and checks what the demo's story says the
// report must hold.
func TestHTMLDemoData(t *testing.T) {
	page := demoHTML(t)
	ids, docs := embeddedData(t, page)

	// The golden file: the index, then each principal's document.
	var b bytes.Buffer
	b.WriteString("{\n\"index\": ")
	b.Write(docs["index"])
	for _, id := range ids[1:] {
		b.WriteString(",\n\"" + id + "\": ")
		b.Write(docs[id])
	}
	b.WriteString("\n}\n")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b.Bytes(), "", " "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	// golden (review_test.go) also checks that no ExternalId shows.
	golden(t, filepath.Join("..", "html", "demo.json.golden"), pretty.Bytes())

	var idx struct {
		Schema   string   `json:"schema"`
		Account  string   `json:"account"`
		Days     []string `json:"days"`
		Coverage struct {
			Series []struct{ Account, Region string } `json:"series"`
			Gaps   []any                              `json:"gaps"`
		} `json:"coverage"`
		Totals struct {
			Principals   int `json:"principals"`
			ThirdParties int `json:"third_parties"`
		} `json:"totals"`
		Principals []struct {
			ID, Name, Kind, Worst string
			Vendors               []string
			UnusedShare           *float64 `json:"unused_share"`
			ThirdParty            bool     `json:"third_party"`
		} `json:"principals"`
	}
	if err := json.Unmarshal(docs["index"], &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Schema != report.HTMLSchema || idx.Account != "364851209736" {
		t.Errorf("schema %q, account %q", idx.Schema, idx.Account)
	}
	// 2026-10-01 to 2026-10-14, both regions, every day with logs.
	if len(idx.Days) != 14 || idx.Days[0] != "2026-10-01" || idx.Days[13] != "2026-10-14" {
		t.Errorf("days %v", idx.Days)
	}
	if len(idx.Coverage.Series) != 2 || len(idx.Coverage.Gaps) != 0 {
		t.Errorf("coverage %+v", idx.Coverage)
	}
	// Six third parties, and two resources open to outside accounts.
	if len(ids)-1 != len(idx.Principals) || idx.Totals.ThirdParties != 8 {
		t.Errorf("%d documents for %d principals, %d third parties", len(ids)-1, len(idx.Principals), idx.Totals.ThirdParties)
	}
	// The worst first: legacy-reporting's critical burst.
	if p := idx.Principals[0]; p.Name != "legacy-reporting" || p.Worst != "critical" {
		t.Errorf("first principal %+v", p)
	}
	byName := map[string]int{}
	for i, p := range idx.Principals {
		byName[p.Name] = i
	}
	dd := idx.Principals[byName["DatadogIntegrationRole"]]
	if !slices.Equal(dd.Vendors, []string{"Datadog"}) || dd.UnusedShare == nil || *dd.UnusedShare < 0.9 {
		t.Errorf("Datadog %+v", dd)
	}

	// Datadog's graph marks its unused sensitive grants and its used
	// actions; its diff removes kms:Decrypt.
	var det struct {
		Trust struct {
			Policy      string `json:"policy"`
			ExternalIDs []struct {
				Length      int    `json:"length"`
				Fingerprint string `json:"fingerprint"`
			} `json:"external_ids"`
		} `json:"trust"`
		Graph struct {
			Services []struct {
				Service string `json:"service"`
				Actions []struct {
					Action, State, Sensitive string
					Calls                    int64
				} `json:"actions"`
			} `json:"services"`
		} `json:"graph"`
		Rightsize struct{ Diff, Policy string } `json:"rightsize"`
		Activity  struct {
			Days     [][3]int64 `json:"days"`
			Sessions []struct {
				CallerAccount string `json:"caller_account"`
				Vendor        string `json:"vendor"`
			} `json:"sessions"`
		} `json:"activity"`
	}
	if err := json.Unmarshal(docs[dd.ID], &det); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, s := range det.Graph.Services {
		for _, a := range s.Actions {
			states[a.Action] = a.State
			if a.Sensitive != "" {
				states[a.Action] += ",sensitive"
			}
		}
	}
	for action, want := range map[string]string{
		"kms:Decrypt":                        "unused,sensitive",
		"secretsmanager:GetSecretValue":      "unused,sensitive",
		"cloudwatch:GetMetricData":           "used",
		"organizations:DescribeOrganization": "denied",
	} {
		if states[action] != want {
			t.Errorf("graph: %s is %q, want %q", action, states[action], want)
		}
	}
	if !strings.Contains(det.Rightsize.Diff, "-        \"kms:Decrypt\",") && !strings.Contains(det.Rightsize.Diff, "kms:Decrypt") {
		t.Errorf("the diff does not remove kms:Decrypt:\n%s", det.Rightsize.Diff)
	}
	if len(det.Trust.ExternalIDs) != 1 || det.Trust.ExternalIDs[0].Length != 32 || !strings.Contains(det.Trust.Policy, "<masked: 32 characters") {
		t.Errorf("trust %+v", det.Trust)
	}
	if len(det.Activity.Days) != 14 || len(det.Activity.Sessions) == 0 || det.Activity.Sessions[0].Vendor != "Datadog" {
		t.Errorf("activity: %d days, sessions %+v", len(det.Activity.Days), det.Activity.Sessions)
	}

	// No ExternalId anywhere on the page.
	for _, s := range demoSecrets {
		if bytes.Contains(page, []byte(s)) {
			t.Errorf("the page shows an ExternalId")
		}
	}
}

// TestHTMLSelfContained checks that the page needs nothing from outside:
// no external reference of any kind, a Content-Security-Policy that
// forbids every request, and inline code the policy admits by hash.
func TestHTMLSelfContained(t *testing.T) {
	// The SVG namespace names no place to fetch from.
	page := bytes.ReplaceAll(demoHTML(t), []byte(`"http://www.w3.org/2000/svg"`), nil)
	for _, bad := range []string{"http://", "https://", "//cdn", "<link rel=\"stylesheet\"", "<script src", "@import", "url("} {
		// The data may hold URLs from the logs (none in the demo); the
		// markup and code must not.
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("the page holds %q", bad)
		}
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy")
	}
	if !bytes.HasPrefix(csp[1], []byte("default-src 'none'; script-src 'sha256-")) {
		t.Errorf("policy %s", csp[1])
	}
}

// hostileInput is a review whose strings from the logs try to break out
// of the page: a user agent, a session name, a resource and a principal
// name holding markup and script.
func hostileInput() *report.HTMLInput {
	const (
		ua      = `</script><script>window.__pwned="ua"</script><img src=x onerror="window.__pwned='img'">`
		session = `"><svg onload="window.__pwned='svg'"><script>window.__pwned="session"</script>`
		res     = `arn:aws:s3:::bucket/<!--<script>window.__pwned="res"</script>`
	)
	t0 := time.Date(2026, 10, 2, 10, 0, 0, 0, time.UTC)
	p := &review.Principal{
		ARN: "arn:aws:iam::111122223333:role/Vendor<b>Role</b>", Name: "Vendor<b>Role</b>", Kind: review.KindRole,
		ThirdParty: true, Reasons: []string{"trust admits account 444455556666 <i>x</i>"}, Worst: review.SeverityHigh,
		Parties: []*review.Party{{Account: "444455556666", Vendor: "<script>window.__pwned='vendor'</script>", Kind: review.PartyVendor, Trusted: true}},
		Findings: []*review.Finding{{
			ID: "TRUST-NO-EXTERNAL-ID-00000000", Rule: review.RuleTrustNoExternalID, Severity: review.SeverityHigh,
			Title: "No ExternalId", Principal: "arn:aws:iam::111122223333:role/Vendor<b>Role</b>",
			Evidence: review.Evidence{Summary: "summary with </script> in it",
				Events: []review.EventRef{{Time: t0, Event: "sts:AssumeRole", SessionName: session, UserAgent: ua, SourceIP: "198.51.100.1", Resources: []string{res}}}},
			Remedy: review.Remedy{Summary: "fix <it>", Commands: []string{`echo "</script>"`}},
		}},
	}
	rep := &review.Report{Account: "111122223333", OwnAccounts: []string{"111122223333"}, Now: t0.Add(48 * time.Hour),
		Window: review.Window{Since: t0.Add(-24 * time.Hour), Until: t0.Add(24 * time.Hour)},
		Counts: review.Counts{High: 1}, Principals: []*review.Principal{p}, Notes: []string{"<b>note</b>"}}
	tl := &review.Timeline{Sessions: []*review.Session{{
		ID: "ASIAEXAMPLE", Principal: p.ARN, CallerAccount: "444455556666", SessionName: session,
		Start: t0, End: t0.Add(time.Minute), SourceIPs: []string{"198.51.100.1"}, UserAgents: []string{ua},
		Regions: []string{"us-east-1"}, Calls: 3,
		Actions: []*review.SessionAction{{Event: "s3:GetObject", Calls: 3, First: t0, Last: t0, Resources: []string{res}}},
	}}, Firsts: []review.First{{Time: t0, Principal: p.ARN, Kind: review.FirstUserAgent, Value: ua, Session: "ASIAEXAMPLE"}}}
	return &report.HTMLInput{Tool: "tailor <test>", Review: rep, Timeline: tl}
}

// TestHTMLEscapes checks that markup in the data never reaches the page
// as markup: the page has exactly its own script elements, and the JSON
// decodes back to the hostile strings.
func TestHTMLEscapes(t *testing.T) {
	in := hostileInput()
	var b bytes.Buffer
	if err := report.WriteHTML(&b, in, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// The index, one principal, the code.
	if n := strings.Count(page, "<script"); n != 3 {
		t.Errorf("%d <script elements, want 3", n)
	}
	for _, bad := range []string{"<img", "<svg onload", "<b>", "<!--", "<i>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q as markup", bad)
		}
	}
	_, docs := embeddedData(t, b.Bytes())
	var det struct {
		Activity struct {
			Sessions []struct {
				SessionName string   `json:"session_name"`
				UserAgents  []string `json:"user_agents"`
			} `json:"sessions"`
		} `json:"activity"`
	}
	if err := json.Unmarshal(docs["p0"], &det); err != nil {
		t.Fatal(err)
	}
	s := in.Timeline.Sessions[0]
	if len(det.Activity.Sessions) != 1 || det.Activity.Sessions[0].SessionName != s.SessionName || det.Activity.Sessions[0].UserAgents[0] != s.UserAgents[0] {
		t.Errorf("the data does not hold the strings as they were: %+v", det.Activity.Sessions)
	}
}

func TestHTMLNoReview(t *testing.T) {
	for _, in := range []*report.HTMLInput{nil, {}} {
		if err := report.WriteHTML(&bytes.Buffer{}, in, report.HTMLOptions{}); !errors.Is(err, report.ErrNoReview) {
			t.Errorf("WriteHTML(%v): %v, want ErrNoReview", in, err)
		}
	}
}

package report_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tailor-sec/tailor/report"
)

// The browser tests open reports in headless Chromium (Debian's chromium
// package; $TAILOR_CHROMIUM names another binary). Without one they skip,
// unless $TAILOR_REQUIRE_BROWSER is set, as .ci/run sets it: in CI a
// missing browser fails.

func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("TAILOR_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("TAILOR_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found and TAILOR_REQUIRE_BROWSER is set: install Debian's chromium (apt-get install chromium) or set TAILOR_CHROMIUM")
	}
	t.Skip("no Chromium: install Debian's chromium (apt-get install chromium) or set TAILOR_CHROMIUM to run the browser tests")
	return ""
}

// page is a report open in a headless browser, with what the browser
// reported about it.
type page struct {
	ctx  context.Context
	url  string
	mu   sync.Mutex
	errs []string // console errors, uncaught exceptions, error log entries
	reqs []string // URLs of every request the page made
}

func (p *page) record(list *[]string, s string) {
	p.mu.Lock()
	*list = append(*list, s)
	p.mu.Unlock()
}

func (p *page) errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}
func (p *page) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.reqs...)
}

// openReport writes html to a file in a temporary directory and opens it
// in a fresh headless Chromium with an empty profile and no background
// networking (the flags Chromium needs as root in this sandbox).
func openReport(t *testing.T, html []byte) *page {
	t.Helper()
	bin := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o644); err != nil {
		t.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(1280, 900))
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	p := &page{ctx: ctx, url: (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()}
	// Start the browser, then listen before the page loads.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.record(&p.reqs, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				p.record(&p.errs, "console: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			p.record(&p.errs, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				p.record(&p.errs, fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url), chromedp.WaitReady(`html[data-ready="true"]`)); err != nil {
		t.Fatalf("open the report: %v (errors: %v)", err, p.errors())
	}
	return p
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, p *page, expr string) T {
	t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open goes to a principal's section and waits until it is drawn.
func (p *page) open(t *testing.T, id string) {
	t.Helper()
	eval[bool](t, p, `document.documentElement.removeAttribute("data-render-ms"), location.hash = "#p/`+id+`", true`)
	if err := chromedp.Do(p.ctx, chromedp.WaitReady(`html[data-render-ms]`), chromedp.WaitVisible(`#detail-h`)); err != nil {
		t.Fatalf("open %s: %v (errors: %v)", id, err, p.errors())
	}
}

// screenshot saves the page, whole, as a PNG in the test's temporary
// directory and logs where.
func (p *page) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)) // 100: a PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("the screenshot is not a PNG")
	}
	path := filepath.Join(t.TempDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d KB)", path, len(png)>>10)
}

// checkQuiet fails the test for any console error, and for any request
// but the page's own file: the report must fetch nothing.
func (p *page) checkQuiet(t *testing.T) {
	t.Helper()
	for _, e := range p.errors() {
		t.Errorf("browser reported: %s", e)
	}
	n := 0
	for _, r := range p.requests() {
		if strings.HasPrefix(r, "about:") {
			continue
		}
		if u, _ := url.Parse(r); u != nil && u.Scheme == "file" && "file://"+u.Path == p.url {
			n++
			continue
		}
		t.Errorf("the page requested %s", r)
	}
	if n == 0 {
		t.Errorf("no request for the page itself was seen: is the network listener working? (%v)", p.requests())
	}
}

// TestHTMLBrowserDemo opens the demo's report and checks what each part
// shows, against what testdata/demo/README.md says a reviewer should find.
func TestHTMLBrowserDemo(t *testing.T) {
	html := demoHTML(t)
	p := openReport(t, html)
	_, docs := embeddedData(t, html)
	id := map[string]string{}
	for k := range docs {
		if k == "index" {
			continue
		}
		var d struct{ Name string }
		if err := jsonUnmarshal(docs[k], &d); err != nil {
			t.Fatal(err)
		}
		id[d.Name] = k
	}

	t.Run("overview", func(t *testing.T) {
		text := eval[string](t, p, `document.getElementById("overview").innerText`)
		for _, want := range []string{"364851209736", "2026-10-01 to 2026-10-14", "eu-west-1, us-east-1", "third parties", "Every day of the window has logs"} {
			if !strings.Contains(text, want) {
				t.Errorf("the overview lacks %q:\n%s", want, text)
			}
		}
		if n := eval[int](t, p, `document.querySelectorAll("#coverage-chart rect").length`); n != 28 {
			t.Errorf("the coverage chart has %d cells, want 28 (2 regions × 14 days)", n)
		}
		if got := eval[string](t, p, `document.getElementById("severity-counts").innerText.replace(/\s+/g, " ").trim()`); got != "CRITICAL 1 HIGH 3 MEDIUM 12 LOW 8 INFO 0" {
			t.Errorf("severity counts %q", got)
		}
	})

	t.Run("third parties", func(t *testing.T) {
		rows := eval[[]string](t, p, `Array.from(document.querySelectorAll("#party-table tbody tr")).map(r => r.innerText.replace(/\s+/g, " ").trim())`)
		if len(rows) != 8 {
			t.Fatalf("%d rows, want the 6 third parties and the 2 resources open to outside accounts: %q", len(rows), rows)
		}
		if !strings.HasPrefix(rows[0], "CRITICAL legacy-reporting") {
			t.Errorf("first row %q, want the critical legacy-reporting", rows[0])
		}
		joined := strings.Join(rows, "\n")
		for _, want := range []string{"CloudZeroCostRole", "CloudZero", "061190967865", "Datadog 464622532012 2026-10-14 97.4%", "LaceworkSecurityAuditRole", "account 165736516723", "Cloudability",
			"EBS snapshot snap-0d4c7e19a2b35f680", "bucket acme-prod-cost-reports"} {
			if !strings.Contains(joined, want) {
				t.Errorf("the list lacks %q:\n%s", want, joined)
			}
		}
		// Search narrows the list; the severity filter too.
		if err := chromedp.Do(p.ctx, chromedp.SendKeys(`#filter-q`, "datadog")); err != nil {
			t.Fatal(err)
		}
		got := eval[[]string](t, p, `Array.from(document.querySelectorAll("#party-table tbody tr a")).map(a => a.textContent)`)
		if len(got) != 1 || got[0] != "DatadogIntegrationRole" {
			t.Errorf("search datadog: %q", got)
		}
		eval[bool](t, p, `(() => { const q = document.getElementById("filter-q"); q.value = ""; q.dispatchEvent(new Event("input")); const s = document.getElementById("filter-severity"); s.value = "high"; s.dispatchEvent(new Event("change")); return true })()`)
		got = eval[[]string](t, p, `Array.from(document.querySelectorAll("#party-table tbody tr a")).map(a => a.textContent)`)
		if strings.Join(got, ",") != "legacy-reporting,EBS snapshot snap-0d4c7e19a2b35f680,CloudZeroCostRole,DatadogIntegrationRole" {
			t.Errorf("high and worse: %q", got)
		}
		p.screenshot(t, "third-parties")
	})

	t.Run("principal", func(t *testing.T) {
		p.open(t, id["DatadogIntegrationRole"])
		text := eval[string](t, p, `document.getElementById("detail").innerText`)
		for _, want := range []string{"role DatadogIntegrationRole", "464622532012", "32 characters, sha256:", "Sensitive actions on all resources", "Remedy", "Calls per day", "Where the sessions came from"} {
			if !strings.Contains(text, want) {
				t.Errorf("the principal's page lacks %q", want)
			}
		}
		// The graph: used, unused sensitive and denied actions, sized by calls.
		graph := eval[map[string]string](t, p, `Object.fromEntries(Array.from(document.querySelectorAll("#access-graph [data-action]")).map(n => [n.dataset.action, n.dataset.state + (n.classList.contains("n-sensitive") ? ",sensitive" : "") + "," + (n.getAttribute("r") || "")]))`)
		for action, want := range map[string]string{"kms:Decrypt": "unused,sensitive,", "s3:GetObject": "unused,sensitive,", "secretsmanager:GetSecretValue": "unused,sensitive,", "organizations:DescribeOrganization": "denied,", "cloudwatch:GetMetricData": "used,13.0"} {
			if got := graph[action]; got != want && !(strings.HasPrefix(want, "unused") && strings.HasPrefix(got, want)) {
				t.Errorf("graph node %s: %q, want %q", action, got, want)
			}
		}
		if n := eval[int](t, p, `document.querySelectorAll("#access-graph [data-state=kept-group]").length`); n == 0 {
			t.Errorf("the graph shows no kept-but-unobservable group (Datadog keeps permission-only actions)")
		}
		// The diff: coloured removed and added lines.
		dels := eval[[]string](t, p, `Array.from(document.querySelectorAll("#policy-diff .del")).map(s => s.textContent)`)
		adds := eval[int](t, p, `document.querySelectorAll("#policy-diff .add").length`)
		if adds == 0 || !strings.Contains(strings.Join(dels, "\n"), `"kms:Decrypt"`) {
			t.Errorf("diff: %d added lines, removed %q", adds, dels)
		}
		if c := eval[string](t, p, `getComputedStyle(document.querySelector("#policy-diff .del")).backgroundColor`); c == "rgba(0, 0, 0, 0)" {
			t.Errorf("removed lines are not coloured")
		}
		if n := eval[int](t, p, `document.querySelectorAll("#day-chart rect.bar").length`); n != 14 {
			t.Errorf("the day chart has %d bars, want 14", n)
		}
		p.screenshot(t, "datadog")

		// The outside account: what it called, from the logs.
		p.open(t, id["Cloudability"])
		text = eval[string](t, p, `document.getElementById("detail").innerText`)
		if !strings.Contains(text, "Untrusted account assumes a role") || !strings.Contains(text, "165736516723") {
			t.Errorf("the Cloudability page lacks its finding")
		}
	})

	t.Run("resources", func(t *testing.T) {
		// Per principal: CloudZero's role lists the bucket open to the
		// same account, with a link to it.
		p.open(t, id["CloudZeroCostRole"])
		doors := eval[[]string](t, p, `Array.from(document.querySelectorAll("#doors tbody tr")).map(r => r.innerText.replace(/\s+/g, " ").trim())`)
		if len(doors) != 1 || !strings.Contains(doors[0], "bucket acme-prod-cost-reports") || !strings.Contains(doors[0], "061190967865 (CloudZero)") {
			t.Fatalf("CloudZeroCostRole's resources: %q", doors)
		}
		href := eval[string](t, p, `document.querySelector("#doors tbody a").getAttribute("href")`)
		if href != "#p/"+id["acme-prod-cost-reports"] {
			t.Errorf("the resource's link is %q", href)
		}
		p.screenshot(t, "cloudzero-doors")

		// Per resource: the bucket's page, its party and its calls (none
		// directly: CloudZero reads through its role), and the corrected
		// policy.
		p.open(t, id["acme-prod-cost-reports"])
		text := eval[string](t, p, `document.getElementById("detail").innerText`)
		for _, want := range []string{"bucket acme-prod-cost-reports", "AWS::S3::Bucket", "Resource open to an outside account",
			"calls from the account", "none in the window", "Corrected resource policy", "aws s3api put-bucket-policy"} {
			if !strings.Contains(text, want) {
				t.Errorf("the bucket's page lacks %q", want)
			}
		}
		party := eval[string](t, p, `document.querySelector("#resource-parties tbody tr").innerText.replace(/\s+/g, " ").trim()`)
		if !strings.HasPrefix(party, "061190967865 CloudZero vendor arn:aws:iam::061190967865:root 0 0") {
			t.Errorf("the bucket's party row: %q", party)
		}
		p.screenshot(t, "bucket")

		p.open(t, id["snap-0d4c7e19a2b35f680"])
		text = eval[string](t, p, `document.getElementById("detail").innerText`)
		if !strings.Contains(text, "EBS snapshot snap-0d4c7e19a2b35f680") || !strings.Contains(text, "modify-snapshot-attribute") {
			t.Errorf("the snapshot's page lacks its title or the command that stops the share")
		}
	})

	t.Run("no errors, no requests", func(t *testing.T) { p.checkQuiet(t) })
}

// TestHTMLBrowserHostile opens a report whose data holds markup and
// script in a user agent, a session name, a resource and names: nothing
// runs, nothing is fetched, and the text shows as it was.
func TestHTMLBrowserHostile(t *testing.T) {
	in := hostileInput()
	var b bytes.Buffer
	if err := report.WriteHTML(&b, in, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	p := openReport(t, b.Bytes())
	p.open(t, "p0")
	if got := eval[string](t, p, `String(window.__pwned)`); got != "undefined" {
		t.Errorf("injected script ran: window.__pwned = %q", got)
	}
	text := eval[string](t, p, `document.getElementById("detail").innerText`)
	s := in.Timeline.Sessions[0]
	for _, want := range []string{s.UserAgents[0], s.SessionName, "Vendor<b>Role</b>"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
	if n := eval[int](t, p, `document.querySelectorAll("img, iframe, object, embed, main script, #detail svg[onload]").length`); n != 0 {
		t.Errorf("%d injected elements", n)
	}
	p.checkQuiet(t)
}

// TestHTMLBrowserScale opens the report of 1,000 third parties over 90
// days and measures how long the list and a principal take to draw.
func TestHTMLBrowserScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 1,000-principal report takes a few seconds")
	}
	page, err := scaleHTML()
	if err != nil {
		t.Fatal(err)
	}
	n := scalePrincipals()
	start := time.Now()
	p := openReport(t, page)
	loaded := time.Since(start)
	ready := eval[float64](t, p, `performance.now()`)
	rows := eval[int](t, p, `document.querySelectorAll("#party-table tbody tr").length`)
	if rows != min(n, 200) {
		t.Errorf("%d rows drawn, want the first %d", rows, min(n, 200))
	}
	p.open(t, fmt.Sprintf("p%d", n/2))
	render := eval[string](t, p, `document.documentElement.getAttribute("data-render-ms")`)
	if n := eval[int](t, p, `document.querySelectorAll("#sessions tbody tr").length`); n != 20 {
		t.Errorf("%d sessions drawn, want 20", n)
	}
	t.Logf("%d principals, %.1f MB: loaded and listed in %v (page clock %.0f ms); a principal drawn in %s ms",
		n, float64(len(page))/(1<<20), loaded.Round(time.Millisecond), ready, render)
	p.checkQuiet(t)
}

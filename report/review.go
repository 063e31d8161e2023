package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/review"
)

// ReviewSchema names the version of the review JSON document. It changes
// only when a field is removed or changes meaning; fields may be added.
const ReviewSchema = "tailor.review/v1"

// TimelineSchema names the version of the activity JSON document.
const TimelineSchema = "tailor.activity/v1"

// TextOptions tune text output. The zero value writes plain text without a
// width limit.
type TextOptions struct {
	// Width is the terminal's width: tables are cut and text wrapped to
	// fit it. 0 means no limit.
	Width int
	// Color adds ANSI colours to severities.
	Color bool
}

// reviewDoc is the review JSON document: the schema and tool, then the
// review's report.
type reviewDoc struct {
	Schema string `json:"schema"`
	Tool   string `json:"tool,omitempty"`
	*review.Report
}

// WriteReviewJSON writes a review as one indented JSON document:
// {"schema": "tailor.review/v1", "tool": ..., then the fields of
// review.Report}. tool names the program, such as "tailor v1.2.0".
func WriteReviewJSON(w io.Writer, rep *review.Report, tool string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(reviewDoc{Schema: ReviewSchema, Tool: tool, Report: rep}); err != nil {
		return fmt.Errorf("write review: %w", err)
	}
	return nil
}

var severityColor = map[review.Severity]string{
	review.SeverityCritical: "\x1b[1;31m",
	review.SeverityHigh:     "\x1b[31m",
	review.SeverityMedium:   "\x1b[33m",
	review.SeverityLow:      "\x1b[36m",
	review.SeverityInfo:     "\x1b[2m",
}

func paintSeverity(s string, sev review.Severity, color bool) string {
	if !color {
		return s
	}
	return severityColor[sev] + s + "\x1b[0m"
}

// shortName names a principal for a table: "role/Name", "user/Name",
// "account 111122223333 (Vendor)", "root".
func shortName(p *review.Principal) string {
	switch p.Kind {
	case review.KindAccount:
		for _, pt := range p.Parties {
			if pt.Vendor != "" {
				return "account " + pt.Account + " (" + pt.Vendor + ")"
			}
		}
		return "account " + p.Name
	case review.KindRoot:
		return "root"
	case review.KindRole, review.KindUser:
		return p.Kind + "/" + p.Name
	case review.KindResource:
		return resourceNoun(p.ResourceType) + " " + p.Name
	}
	return p.ARN
}

// resourceNoun names a resource type for people: "bucket", "key".
func resourceNoun(t string) string {
	switch t {
	case "AWS::S3::Bucket":
		return "bucket"
	case "AWS::KMS::Key":
		return "key"
	case "AWS::SQS::Queue":
		return "queue"
	case "AWS::SNS::Topic":
		return "topic"
	case "AWS::SecretsManager::Secret":
		return "secret"
	case "AWS::Lambda::Function":
		return "function"
	case "AWS::Lambda::LayerVersion":
		return "layer"
	case "AWS::ECR::Repository":
		return "repository"
	case "AWS::Events::EventBus":
		return "event bus"
	case "AWS::EC2::Image":
		return "AMI"
	case "AWS::EC2::Snapshot":
		return "EBS snapshot"
	case "AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot":
		return "RDS snapshot"
	case "AWS::Backup::BackupVault":
		return "backup vault"
	case "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain":
		return "OpenSearch domain"
	}
	if _, name, ok := strings.Cut(strings.TrimPrefix(t, "AWS::"), "::"); ok {
		return name
	}
	return "resource"
}

// WriteReviewText writes a review for a terminal: a heading, a table of
// all findings, worst first, then per principal the evidence and the
// remedy of each finding.
func WriteReviewText(w io.Writer, rep *review.Report, opts TextOptions) error {
	var b bytes.Buffer
	width := opts.Width
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	para := func(text, first, indent string) { b.WriteString(wrapText(text, width, first, indent) + "\n") }

	p("Third-party access review of account %s\n", dashIfEmpty(rep.Account))
	if !rep.Window.Since.IsZero() {
		p("Logs from %s to %s; ages judged at %s\n", reviewDay(rep.Window.Since), reviewDay(rep.Window.Until), rep.Now.Format(time.RFC3339))
	} else {
		p("No logs read; ages judged at %s\n", rep.Now.Format(time.RFC3339))
	}
	var read []string
	if rep.Inputs.IAM != "" {
		read = append(read, rep.Inputs.IAM+" (IAM)")
	}
	if rep.Inputs.Usage != "" {
		if n := len(rep.Inputs.Unreadable); n > 0 {
			read = append(read, fmt.Sprintf("%s (usage; %d %s could not be read whole)", rep.Inputs.Usage, n, pluralText(n, "log file", "log files")))
		} else {
			read = append(read, rep.Inputs.Usage+" (usage)")
		}
	}
	if rep.Inputs.Events != "" {
		read = append(read, rep.Inputs.Events+" (activity)")
	}
	if rep.Inputs.CredentialReport != "" {
		read = append(read, rep.Inputs.CredentialReport+" (credentials)")
	}
	if rep.Inputs.Resources != "" {
		read = append(read, fmt.Sprintf("%s (%d %s)", rep.Inputs.Resources, rep.Inputs.ResourceEntries, pluralText(rep.Inputs.ResourceEntries, "resource", "resources")))
	}
	if rep.Inputs.Vendors != "" {
		read = append(read, fmt.Sprintf("%s (%d vendors)", rep.Inputs.Vendors, rep.Inputs.VendorEntries))
	}
	if len(read) > 0 {
		para("Read: "+strings.Join(read, ", "), "", "  ")
	}
	c := rep.Counts
	p("Findings: %d critical, %d high, %d medium, %d low, %d info; %d principals\n\n", c.Critical, c.High, c.Medium, c.Low, c.Info, len(rep.Principals))

	t := Table{Header: []string{"SEVERITY", "PRINCIPAL", "FINDING", "ID"}, Flex: []bool{false, true, true, false}, Min: []int{0, 24, 20}}
	type row struct {
		sev  review.Severity
		cols []string
	}
	var rows []row
	for _, pr := range rep.Principals {
		for _, f := range pr.Findings {
			rows = append(rows, row{f.Severity, []string{f.Severity.String(), shortName(pr), f.Title, f.ID}})
		}
	}
	// Worst first across principals; principals keep their order within
	// a severity.
	for s := review.SeverityCritical; ; s-- {
		for _, r := range rows {
			if r.sev == s {
				t.Rows = append(t.Rows, r.cols)
			}
		}
		if s == review.SeverityInfo {
			break
		}
	}
	if len(t.Rows) > 0 {
		var tb bytes.Buffer
		t.Render(&tb, width)
		if opts.Color {
			// Colour the severity column after layout, so widths hold.
			lines := strings.SplitAfter(tb.String(), "\n")
			for i, ln := range lines {
				if i == 0 {
					continue
				}
				for s := review.SeverityInfo; s <= review.SeverityCritical; s++ {
					if name := s.String(); strings.HasPrefix(ln, name+" ") {
						lines[i] = paintSeverity(name, s, true) + ln[len(name):]
						break
					}
				}
			}
			b.WriteString(strings.Join(lines, ""))
		} else {
			b.Write(tb.Bytes())
		}
	} else {
		p("No findings.\n")
	}

	for _, pr := range rep.Principals {
		b.WriteString("\n")
		head := "== " + shortName(pr)
		if pr.ThirdParty {
			head += " (third party)"
		}
		b.WriteString(head + "\n")
		para("ARN: "+pr.ARN, "   ", "     ")
		if len(pr.Reasons) > 0 {
			para("Why: "+strings.Join(pr.Reasons, "; "), "   ", "     ")
		}
		for _, pt := range pr.Parties {
			para("Party: "+partyLine(pr, pt), "   ", "     ")
		}
		if !pr.LastUsed.IsZero() {
			p("   Last used: %s\n", pr.LastUsed.Format(time.RFC3339))
		}
		for _, f := range pr.Findings {
			b.WriteString("\n")
			sev := fmt.Sprintf("%-8s", f.Severity)
			p("   %s %s  %s\n", paintSeverity(sev, f.Severity, opts.Color), f.ID, f.Title)
			ind := "            "
			para(f.Evidence.Summary, ind, ind)
			if st := f.Evidence.Statement; st != nil {
				para(fmt.Sprintf("Statement: %s, statement %d%s: %s", st.Policy, st.Index, sidSuffix(st.Sid), compactJSON(st.Document)), ind, ind+"  ")
			}
			for _, fact := range f.Evidence.Facts {
				para(fact.Name+": "+fact.Value, ind+"- ", ind+"  ")
			}
			if len(f.Evidence.Actions) > 0 {
				para("Actions: "+actionsLine(f.Evidence.Actions), ind+"- ", ind+"  ")
			}
			for i, e := range f.Evidence.Events {
				if i == 8 {
					para(fmt.Sprintf("... and %d more events (see --format json)", len(f.Evidence.Events)-8), ind+"- ", ind+"  ")
					break
				}
				para("Event: "+eventLine(e), ind+"- ", ind+"  ")
			}
			para("Fix: "+f.Remedy.Summary, ind, ind+"     ")
			for _, s := range f.Remedy.Steps {
				para(s, ind+"     ", ind+"     ")
			}
			if k := f.Remedy.AccessKey; k != nil {
				key := fmt.Sprintf("user %s, key slot %d", k.User, k.Slot)
				if k.Slot == 0 {
					key = "user " + k.User
				}
				if k.ID != "" {
					key += ", id " + k.ID
				}
				para("Key: "+key, ind+"     ", ind+"       ")
			}
			for _, doc := range []struct {
				name string
				raw  json.RawMessage
			}{{"Trust policy", f.Remedy.TrustPolicy}, {"Resource policy", f.Remedy.ResourcePolicy}, {"Permission boundary", f.Remedy.Boundary}, {"Suggested policy", f.Remedy.SuggestedPolicy}} {
				if len(doc.raw) == 0 {
					continue
				}
				p("%s     %s:\n", ind, doc.name)
				for _, ln := range strings.Split(indentedJSON(doc.raw), "\n") {
					p("%s       %s\n", ind, ln)
				}
			}
			for _, cmd := range f.Remedy.Commands {
				para("$ "+cmd, ind+"     ", ind+"         ")
			}
		}
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range rep.Notes {
			para(n, "- ", "  ")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func sidSuffix(sid string) string {
	if sid == "" {
		return ""
	}
	return fmt.Sprintf(" (Sid %q)", sid)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func reviewDay(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func indentedJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func partyLine(pr *review.Principal, pt *review.Party) string {
	if pr.Kind == review.KindResource {
		return resourcePartyLine(pt)
	}
	var s string
	switch pt.Kind {
	case review.PartyAnyone:
		s = "anyone"
	case review.PartyProvider:
		s = "identity provider " + pt.Vendor
	default:
		s = pt.Account
		if pt.Vendor != "" {
			s += " (" + pt.Vendor + ")"
		}
		s += ", " + pt.Kind
	}
	if pt.Kind != review.PartyProvider {
		if !pt.Trusted {
			s += ", not admitted by today's trust"
		} else if pt.ExternalID {
			s += ", ExternalId required"
		} else {
			s += ", no ExternalId required"
		}
	}
	if pt.Assumptions > 0 {
		s += fmt.Sprintf(", assumed %s, last %s", timesText(pt.Assumptions), pt.LastAssumed.Format(time.RFC3339))
	}
	if pt.Denied > 0 {
		s += fmt.Sprintf(", refused %s, last %s", timesText(pt.Denied), pt.LastDenied.Format(time.RFC3339))
	}
	if len(pt.AssumedBy) > 0 {
		s += ", by " + strings.Join(pt.AssumedBy, ", ")
	}
	return s
}

// resourcePartyLine describes a party a resource lets in, with its calls.
func resourcePartyLine(pt *review.Party) string {
	var s string
	switch pt.Kind {
	case review.PartyAnyone:
		s = "anyone"
	case review.PartyService:
		s = pt.Vendor + ", service principal"
	default:
		s = pt.Account
		if pt.Vendor != "" {
			s += " (" + pt.Vendor + ")"
		}
		s += ", " + pt.Kind
	}
	if len(pt.Principals) > 0 {
		s += ", as " + strings.Join(pt.Principals, ", ")
	}
	if pt.Calls > 0 || pt.DeniedCalls > 0 {
		s += fmt.Sprintf(", %d calls (%d refused), first %s, last %s", pt.Calls, pt.DeniedCalls, pt.FirstActivity.Format(time.RFC3339), pt.LastActivity.Format(time.RFC3339))
	}
	return s
}

func actionsLine(acts []review.ActionUse) string {
	parts := make([]string, 0, len(acts))
	for _, a := range acts {
		s := a.Action
		switch {
		case a.Used:
			s += fmt.Sprintf(" (used %d×, last %s", a.Calls, reviewDay(a.LastUsed))
			if len(a.Resources) > 0 {
				s += fmt.Sprintf(", on %d resources", len(a.Resources))
			}
			s += ")"
		default:
			s += " (unused)"
		}
		if a.Conditional {
			s += " [under conditions]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func eventLine(e review.EventRef) string {
	s := e.Time.Format(time.RFC3339) + " " + e.Event
	if e.Count > 1 {
		s += fmt.Sprintf(" ×%d", e.Count)
	}
	if e.ErrorCode != "" {
		s += " [" + e.ErrorCode + "]"
	}
	if e.Principal != "" {
		s += " by " + e.Principal
	}
	if e.SessionName != "" {
		s += " (" + e.SessionName + ")"
	}
	if e.SourceIP != "" {
		s += " from " + e.SourceIP
	}
	if len(e.Resources) > 0 {
		s += " on " + strings.Join(e.Resources, ", ")
	}
	return s
}

// timelineDoc is the activity JSON document.
type timelineDoc struct {
	Schema string `json:"schema"`
	Tool   string `json:"tool,omitempty"`
	*review.Timeline
}

// WriteTimelineJSON writes a timeline as one indented JSON document:
// {"schema": "tailor.activity/v1", "tool": ..., then the fields of
// review.Timeline}.
func WriteTimelineJSON(w io.Writer, tl *review.Timeline, tool string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(timelineDoc{Schema: TimelineSchema, Tool: tool, Timeline: tl}); err != nil {
		return fmt.Errorf("write activity: %w", err)
	}
	return nil
}

// TimelineTextOptions choose what WriteTimelineText shows.
type TimelineTextOptions struct {
	TextOptions
	// Sweep shows the sweep; Sessions the sessions and first appearances.
	Sweep, Sessions bool
	// Vendors names calling accounts, when set.
	Vendors *review.Vendors
}

// WriteTimelineText writes a timeline for a terminal: per session a line
// of who, when and from where, then its actions; then the first
// appearances; then, when asked, the sweep.
func WriteTimelineText(w io.Writer, tl *review.Timeline, opts TimelineTextOptions) error {
	var b bytes.Buffer
	width := opts.Width
	para := func(text, first, indent string) { b.WriteString(wrapText(text, width, first, indent) + "\n") }
	fmt.Fprintf(&b, "Activity of %s", tl.Selection)
	switch {
	case !tl.Window.Since.IsZero() && !tl.Window.Until.IsZero():
		fmt.Fprintf(&b, " from %s to %s", tl.Window.Since.Format(time.RFC3339), tl.Window.Until.Format(time.RFC3339))
	case !tl.Window.Since.IsZero():
		fmt.Fprintf(&b, " since %s", tl.Window.Since.Format(time.RFC3339))
	case !tl.Window.Until.IsZero():
		fmt.Fprintf(&b, " until %s", tl.Window.Until.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "\n%d events in %d %s; %d baseline events before the window\n", tl.Events, len(tl.Sessions), pluralText(len(tl.Sessions), "session", "sessions"), tl.Baseline)
	caller := func(acct string) string {
		if acct == "" {
			return "-"
		}
		if v, ok := opts.Vendors.Lookup(acct); ok {
			return acct + " (" + v.Name + ")"
		}
		return acct
	}
	if opts.Sessions {
		for _, s := range tl.Sessions {
			b.WriteString("\n")
			head := fmt.Sprintf("Session %s: %s to %s, %s", s.ID, s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), s.Principal)
			para(head, "", "  ")
			var info []string
			if s.CallerAccount != "" {
				info = append(info, "from account "+caller(s.CallerAccount))
			}
			if s.AssumedBy != "" {
				x := "assumed by " + s.AssumedBy + " at " + s.AssumedAt.Format(time.RFC3339)
				if s.ExternalID {
					x += " with an ExternalId"
				} else {
					x += " without an ExternalId"
				}
				info = append(info, x)
			}
			if s.SessionName != "" {
				info = append(info, "session name "+s.SessionName)
			}
			if s.SourceIdentity != "" {
				info = append(info, "source identity "+s.SourceIdentity)
			}
			if len(s.SourceIPs) > 0 {
				info = append(info, "addresses "+strings.Join(s.SourceIPs, ", "))
			}
			if len(s.Regions) > 0 {
				info = append(info, "regions "+strings.Join(s.Regions, ", "))
			}
			info = append(info, fmt.Sprintf("%d calls, %d denied, %d other errors", s.Calls, s.Denied, s.Errors))
			para(strings.Join(info, "; "), "  ", "  ")
			for _, ua := range s.UserAgents {
				para("agent "+ua, "  ", "    ")
			}
			t := Table{Header: []string{"EVENT", "CALLS", "DENIED", "ERRORS", "FIRST", "RESOURCES"},
				Flex: []bool{true, false, false, false, false, true}, Right: []bool{false, true, true, true}}
			for _, a := range s.Actions {
				res := strings.Join(a.Resources, " ")
				if len(a.ErrorCodes) > 0 {
					res = "[" + strings.Join(a.ErrorCodes, ",") + "] " + res
				}
				t.Rows = append(t.Rows, []string{a.Event, fmtInt(a.Calls), fmtInt(a.Denied), fmtInt(a.Errors), a.First.Format("01-02T15:04:05"), res})
			}
			var tb bytes.Buffer
			t.Render(&tb, width-2)
			for _, ln := range strings.SplitAfter(strings.TrimSuffix(tb.String(), "\n"), "\n") {
				b.WriteString("  " + ln)
			}
			b.WriteString("\n")
			if s.ResourceCount > len(s.Resources) {
				para(fmt.Sprintf("%d distinct resources in all", s.ResourceCount), "  ", "  ")
			}
		}
		b.WriteString("\nFirst appearances (against the baseline):\n")
		if len(tl.Firsts) == 0 {
			b.WriteString("  none\n")
		} else {
			t := Table{Header: []string{"TIME", "KIND", "VALUE", "PRINCIPAL", "DENIED"}, Flex: []bool{false, false, true, true, false}, Min: []int{0, 0, 24, 24}}
			for _, f := range tl.Firsts {
				d := ""
				if f.Denied {
					d = "denied"
				}
				t.Rows = append(t.Rows, []string{f.Time.Format(time.RFC3339), f.Kind, f.Value, shortARN(f.Principal), d})
			}
			var tb bytes.Buffer
			t.Render(&tb, width-2)
			for _, ln := range strings.SplitAfter(strings.TrimSuffix(tb.String(), "\n"), "\n") {
				b.WriteString("  " + ln)
			}
			b.WriteString("\n")
		}
	}
	if opts.Sweep {
		b.WriteString("\nSweep:\n")
		if len(tl.Sweep) == 0 {
			b.WriteString("  nothing to report\n")
		} else {
			t := Table{Header: []string{"CATEGORY", "EVENT", "CALLS", "DENIED", "FIRST", "PRINCIPAL", "WHAT"},
				Flex: []bool{false, true, false, false, false, true, true}, Right: []bool{false, false, true, true}, Min: []int{0, 24, 0, 0, 0, 20, 12}}
			for _, e := range tl.Sweep {
				what := e.Reason
				if len(e.Resources) > 0 {
					what += ": " + strings.Join(e.Resources, " ")
				}
				t.Rows = append(t.Rows, []string{e.Category, e.Event, fmtInt(e.Calls), fmtInt(e.Denied),
					e.First.Format(time.RFC3339), shortARN(e.Principal), what})
			}
			var tb bytes.Buffer
			t.Render(&tb, width-2)
			for _, ln := range strings.SplitAfter(strings.TrimSuffix(tb.String(), "\n"), "\n") {
				b.WriteString("  " + ln)
			}
			b.WriteString("\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// timesText says how often: "once", "twice", "7 times".
func timesText(n int64) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.FormatInt(n, 10) + " times"
}

// shortARN drops the "arn:aws:iam::" of an IAM ARN for tables:
// "364851209736:user/legacy-reporting".
func shortARN(arn string) string {
	return strings.TrimPrefix(arn, "arn:aws:iam::")
}

func pluralText(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

// WriteTimelineCSV writes a timeline as CSV: with sweep, one row per sweep
// entry; otherwise one row per session and event, then one row per first
// appearance (kind "first").
func WriteTimelineCSV(w io.Writer, tl *review.Timeline, sweep bool) error {
	cw := csv.NewWriter(w)
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	if sweep {
		cw.Write([]string{"category", "event", "reason", "principal", "caller_account", "calls", "denied", "errors", "first", "last", "source_ips", "resources"})
		for _, e := range tl.Sweep {
			cw.Write([]string{e.Category, e.Event, e.Reason, e.Principal, e.CallerAccount, fmtInt(e.Calls), fmtInt(e.Denied), fmtInt(e.Errors),
				ts(e.First), ts(e.Last), strings.Join(e.SourceIPs, " "), strings.Join(e.Resources, " ")})
		}
	} else {
		cw.Write([]string{"row", "session", "principal", "caller_account", "session_name", "source_identity", "assumed_by", "external_id",
			"source_ips", "user_agents", "regions", "event", "calls", "denied", "errors", "error_codes", "first", "last", "resources"})
		for _, s := range tl.Sessions {
			for _, a := range s.Actions {
				cw.Write([]string{"session", s.ID, s.Principal, s.CallerAccount, s.SessionName, s.SourceIdentity, s.AssumedBy, strconv.FormatBool(s.ExternalID),
					strings.Join(s.SourceIPs, " "), strings.Join(s.UserAgents, " | "), strings.Join(s.Regions, " "),
					a.Event, fmtInt(a.Calls), fmtInt(a.Denied), fmtInt(a.Errors), strings.Join(a.ErrorCodes, " "), ts(a.First), ts(a.Last), strings.Join(a.Resources, " ")})
			}
		}
		for _, f := range tl.Firsts {
			denied := "0"
			if f.Denied {
				denied = "1"
			}
			cw.Write([]string{"first", f.Session, f.Principal, "", "", "", "", "", "", "", "", f.Kind + " " + f.Value, "1", denied, "0", "", ts(f.Time), ts(f.Time), ""})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write activity: %w", err)
	}
	return nil
}

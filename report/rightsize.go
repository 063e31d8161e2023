package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/policydiff"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// RightsizeSchema names the format of the rightsize JSON documents.
const RightsizeSchema = "tailor.rightsize/v1"

// RightsizeRun is one run of the rightsizer: the suggestions it made and
// the principals it could not make one for.
type RightsizeRun struct {
	Tool        string                  // "tailor v1.2.3"
	Catalog     string                  // the catalog's source
	Window      rightsize.Window        // over all accounts
	Inputs      *RightsizeInputs        // what the run read, when known
	Suggestions []*rightsize.Suggestion // in the order asked
	Failures    []RightsizeFailure
}

// RightsizeInputs names the files a run read, and the log files of the
// usage index that could not be read whole: the suggestions were made
// without the records after each break.
type RightsizeInputs struct {
	Usage      string                   `json:"usage,omitempty"`
	IAM        string                   `json:"iam,omitempty"`
	Unreadable []usage.UnreadableSource `json:"unreadable,omitempty"`
}

// RightsizeFailure is a principal without a suggestion, and why.
type RightsizeFailure struct {
	Principal string `json:"principal"`
	Error     string `json:"error"`
}

// RightsizeTextOptions shape the text output. The zero value writes
// without colour.
type RightsizeTextOptions struct {
	// Color colours the diff (removed lines red, added green, hunk
	// headers cyan) and the headings.
	Color bool
}

// RightsizeFileName returns a file name for a principal's files: its name
// with every character that is not a letter, digit or one of "+=,.@_-"
// replaced by '_' (IAM names use only those, but the name may come from
// elsewhere), never empty, never starting with a dot.
func RightsizeFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("+=,.@_-", c) >= 0:
		default:
			b[i] = '_'
		}
	}
	s := string(b)
	if s == "" || s[0] == '.' {
		s = "_" + s
	}
	return s
}

// RightsizeCurrent returns today's identity policies of a suggestion as
// one document: all their statements, under the Version they share
// (2012-10-17 when they differ). It is the "from" side of the diff.
func RightsizeCurrent(s *rightsize.Suggestion) *policy.Policy { return rsCombine(s.Current) }

// RightsizeSuggested returns the suggested documents as one document, the
// "to" side of the diff.
func RightsizeSuggested(s *rightsize.Suggestion) *policy.Policy { return rsCombine(s.Policies) }

func rsCombine(ps []*policy.Policy) *policy.Policy {
	out := &policy.Policy{Version: policy.Version2012}
	for i, p := range ps {
		if i == 0 {
			out.Version = p.Version
		} else if p.Version != out.Version {
			out.Version = policy.Version2012
		}
		out.Statements = append(out.Statements, p.Statements...)
	}
	if out.Version == "" {
		out.Version = policy.Version2012
	}
	return out
}

// RightsizeDiff returns the unified diff from the canonical rendering of
// today's identity policies (all documents as one) to that of the
// suggestion, labelled a/<file>.json and b/<file>.json. It applies with
// `patch` to the rendering of RightsizeCurrent.
func RightsizeDiff(s *rightsize.Suggestion) ([]byte, error) {
	f := RightsizeFileName(s.Name) + ".json"
	d, err := policydiff.Policies(RightsizeCurrent(s), RightsizeSuggested(s), policydiff.Options{FromFile: "a/" + f, ToFile: "b/" + f})
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", s.Principal, err)
	}
	return d, nil
}

// RightsizePolicyJSON returns the suggested policy as a file holds it: the
// document, rendered canonically, when there is one; a JSON list of the
// documents when the suggestion is split (or empty, when nothing is kept).
func RightsizePolicyJSON(s *rightsize.Suggestion) ([]byte, error) {
	return RightsizePoliciesJSON(s.Principal, s.Policies)
}

// RightsizePoliciesJSON renders documents of a principal as a file holds
// them: one document canonically, several as a JSON list.
func RightsizePoliciesJSON(principal string, ps []*policy.Policy) ([]byte, error) {
	if len(ps) == 1 {
		b, err := policydiff.Render(ps[0])
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", principal, err)
		}
		return b, nil
	}
	docs := make([]json.RawMessage, 0, len(ps))
	for _, p := range ps {
		b, err := p.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", principal, err)
		}
		docs = append(docs, b)
	}
	return rsMarshalIndent(docs)
}

// RightsizeDetachScript returns a shell script of the AWS CLI commands
// that detach the policies of a suggestion that keeps nothing.
func RightsizeDetachScript(s *rightsize.Suggestion) []byte {
	var b bytes.Buffer
	b.WriteString("#!/bin/sh\n")
	for _, l := range iacHeader(s, "#", false) {
		b.WriteString(l + "\n")
	}
	b.WriteString("set -eu\n")
	for _, d := range s.Detach {
		if d.Command != "" {
			b.WriteString(d.Command + "\n")
		} else {
			b.WriteString("# detach " + strings.Map(func(r rune) rune {
				if r < ' ' || r == 0x7f {
					return ' '
				}
				return r
			}, d.Policy) + " (its source is not known)\n")
		}
	}
	return b.Bytes()
}

// rightsizeDoc is the report of one principal in JSON: the suggestion's
// fields, its documents and its diff.
type rightsizeDoc struct {
	*rightsize.Suggestion
	CurrentPolicies []string          `json:"currentPolicies"`
	Boundary        string            `json:"boundary,omitempty"`
	Policies        []json.RawMessage `json:"policies"`
	Diff            string            `json:"diff"`
}

func newRightsizeDoc(s *rightsize.Suggestion) (*rightsizeDoc, error) {
	d := &rightsizeDoc{Suggestion: s, CurrentPolicies: []string{}, Policies: []json.RawMessage{}}
	for _, p := range s.Current {
		d.CurrentPolicies = append(d.CurrentPolicies, p.Name)
	}
	if s.Boundary != nil {
		d.Boundary = s.Boundary.Name
	}
	for _, p := range s.Policies {
		b, err := p.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", s.Principal, err)
		}
		d.Policies = append(d.Policies, b)
	}
	diff, err := RightsizeDiff(s)
	if err != nil {
		return nil, err
	}
	d.Diff = string(diff)
	return d, nil
}

// WriteRightsizeReport writes the JSON report of one principal, as the
// <principal>.report.json file holds it.
func WriteRightsizeReport(w io.Writer, s *rightsize.Suggestion, tool string) error {
	d, err := newRightsizeDoc(s)
	if err != nil {
		return err
	}
	b, err := rsMarshalIndent(struct {
		Schema string `json:"schema"`
		Tool   string `json:"tool,omitempty"`
		*rightsizeDoc
	}{RightsizeSchema, tool, d})
	if err != nil {
		return fmt.Errorf("write rightsize report: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// WriteRightsizeJSON writes a run as one JSON document: schema, tool,
// catalog, window, then one report per principal and the failures.
func WriteRightsizeJSON(w io.Writer, run *RightsizeRun) error {
	doc := struct {
		Schema     string             `json:"schema"`
		Tool       string             `json:"tool,omitempty"`
		Catalog    string             `json:"catalog,omitempty"`
		Window     rightsize.Window   `json:"window"`
		Inputs     *RightsizeInputs   `json:"inputs,omitempty"`
		Principals []*rightsizeDoc    `json:"principals"`
		Failures   []RightsizeFailure `json:"failures"`
	}{Schema: RightsizeSchema, Tool: run.Tool, Catalog: run.Catalog, Window: run.Window, Inputs: run.Inputs,
		Principals: []*rightsizeDoc{}, Failures: run.Failures}
	if doc.Failures == nil {
		doc.Failures = []RightsizeFailure{}
	}
	for _, s := range run.Suggestions {
		d, err := newRightsizeDoc(s)
		if err != nil {
			return err
		}
		doc.Principals = append(doc.Principals, d)
	}
	b, err := rsMarshalIndent(doc)
	if err != nil {
		return fmt.Errorf("write rightsize: %w", err)
	}
	_, err = w.Write(b)
	return err
}

func rsMarshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const (
	rsRed   = "\x1b[31m"
	rsGreen = "\x1b[32m"
	rsCyan  = "\x1b[36m"
	rsBold  = "\x1b[1m"
	rsReset = "\x1b[0m"
)

// WriteRightsizeText writes, for each suggestion, a heading, the diff and
// a summary: the window and what the logs held, granted and used counts,
// what is kept and removed and why, the calls that were denied, the
// verification and the size of the suggestion.
func WriteRightsizeText(w io.Writer, run *RightsizeRun, opts RightsizeTextOptions) error {
	var b bytes.Buffer
	paint := func(color, s string) string {
		if !opts.Color {
			return s
		}
		return color + s + rsReset
	}
	for i, s := range run.Suggestions {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(paint(rsBold, s.Kind+" "+s.Name) + "  " + s.Principal + "\n")
		diff, err := RightsizeDiff(s)
		if err != nil {
			return err
		}
		if len(diff) == 0 {
			b.WriteString("  (no change)\n")
		}
		for _, line := range strings.SplitAfter(string(diff), "\n") {
			switch {
			case line == "":
			case !opts.Color:
				b.WriteString(line)
			case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
				b.WriteString(paint(rsBold, strings.TrimSuffix(line, "\n")) + "\n")
			case strings.HasPrefix(line, "@@"):
				b.WriteString(paint(rsCyan, strings.TrimSuffix(line, "\n")) + "\n")
			case strings.HasPrefix(line, "-"):
				b.WriteString(paint(rsRed, strings.TrimSuffix(line, "\n")) + "\n")
			case strings.HasPrefix(line, "+"):
				b.WriteString(paint(rsGreen, strings.TrimSuffix(line, "\n")) + "\n")
			default:
				b.WriteString(line)
			}
		}
		writeRightsizeSummary(&b, s)
	}
	if len(run.Failures) > 0 {
		if len(run.Suggestions) > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d principals without a suggestion:\n", len(run.Failures))
		for _, f := range run.Failures {
			fmt.Fprintf(&b, "  %s: %s\n", f.Principal, f.Error)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeRightsizeSummary(b *bytes.Buffer, s *rightsize.Suggestion) {
	row := func(label, format string, args ...any) {
		fmt.Fprintf(b, "  %-11s %s\n", label, fmt.Sprintf(format, args...))
	}
	w := s.Window
	days := fmt.Sprintf("%d days, all with logs", w.Days)
	if !w.Complete() {
		days = fmt.Sprintf("%d days, %d without logs: %s", w.Days, w.Days-w.DaysWithLogs, rsDays(w.MissingDays, 5))
	}
	row("window", "%s to %s (%s)", rsDay(w.Since), rsLastDay(w.Until), days)
	sources := make([]string, len(w.DataEventSources))
	for i, src := range w.DataEventSources {
		sources[i] = strings.TrimSuffix(src, ".amazonaws.com")
	}
	row("logs", "accounts %s; regions %s; data events %s", rsList(w.Accounts), rsList(w.Regions), rsList(sources))
	row("granted", "%d actions, %d used: %s unused", s.Granted, s.Used, strconv.FormatFloat(100*s.UnusedShare, 'f', 1, 64)+" %")
	for i, k := range s.Kept {
		label := ""
		if i == 0 {
			label = "used"
		}
		row(label, "%s: %d calls, last %s", k.Action, k.Calls, rsDay(k.LastUsed))
	}
	row("kept", "%d used, %d unobservable%s", len(s.Kept), len(s.Unobservable), rsByReason(s.Unobservable))
	row("removed", "%d%s", len(s.Removed), rsByReason(s.Removed))
	if s.Conditional > 0 {
		verb := "kept"
		for _, r := range s.Removed {
			if r.Reason == rightsize.RemovedConditional {
				verb = "dropped"
				break
			}
		}
		row("conditional", "%d actions possibly needed by calls whose deciding parameters were not logged, %s", s.Conditional, verb)
	}
	for i, d := range s.Denied {
		label := ""
		if i == 0 {
			label = "denied"
		}
		row(label, "%s: %d calls, last %s", d.Action, d.Calls, rsDay(d.LastSeen))
	}
	for i, u := range s.Unmapped {
		label := ""
		if i == 0 {
			label = "unmapped"
		}
		row(label, "%s: %d calls, last %s (its service's grants are kept)", u.Event, u.Calls, rsDay(u.LastSeen))
	}
	for i, u := range s.UsedNotGranted {
		label := ""
		if i == 0 {
			label = "not granted"
		}
		row(label, "%s: %d calls allowed by something else (a resource policy?)", u.Action, u.Calls)
	}
	v := s.Verification
	row("verified", "no new access (proved); %d observed requests checked, %d allowed today and still allowed%s",
		v.ObservedRequests, v.AllowedToday, rsIf(v.ContextsSampled > 0, fmt.Sprintf(" (%d contexts sampled)", v.ContextsSampled)))
	if s.Boundary != nil {
		row("boundary", "kept: %s", s.Boundary.Name)
	}
	switch n := len(s.Policies); n {
	case 0:
		row("suggestion", "no document: every identity policy can be detached")
		for _, d := range s.Detach {
			if d.Command != "" {
				row("", "%s", d.Command)
			} else {
				row("", "detach %s", d.Policy)
			}
		}
	case 1:
		row("suggestion", "1 document, %d characters; resources %s", s.Sizes[0], s.Resources)
	default:
		sizes := make([]string, n)
		for i, z := range s.Sizes {
			sizes[i] = strconv.Itoa(z)
		}
		row("suggestion", "split into %d documents (%s characters); resources %s", n, strings.Join(sizes, ", "), s.Resources)
	}
	if sl := s.ServiceLevel; sl != nil {
		row("service", "level form: %d documents granting %d services whole (%s); in -o DIR as <name>.service-level.policy.json",
			len(sl.Policies), len(sl.Services), rsList(sl.Services))
	}
	for _, n := range s.Notes {
		row("note", "%s", n)
	}
}

// rsByReason counts actions by reason: " (12 permission-only, 3 used-outside-window)".
func rsByReason(list []rightsize.Action) string {
	if len(list) == 0 {
		return ""
	}
	count := map[rightsize.Reason]int{}
	for _, a := range list {
		count[a.Reason]++
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%d %s", count[r], r))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func rsDay(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

// rsLastDay returns the last day before until.
func rsLastDay(until time.Time) string {
	if until.IsZero() {
		return "-"
	}
	return rsDay(until.Add(-time.Nanosecond))
}

func rsDays(days []time.Time, n int) string {
	var parts []string
	for i, d := range days {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(days)-n))
			break
		}
		parts = append(parts, rsDay(d))
	}
	return strings.Join(parts, ", ")
}

func rsList(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func rsIf(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

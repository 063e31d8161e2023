package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/atomicfile"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// rightsizeOptions holds the flags of `tailor rightsize`.
type rightsizeOptions struct {
	io *ioStreams

	Usage           string
	IAM             string
	Principals      []string
	ThirdParty      bool
	All             bool
	OwnAccounts     []string
	Since           string
	Until           string
	Resources       string
	Format          string
	Output          string
	DropConditional bool
	Compact         bool
	AllowGaps       bool
	MaxPolicies     int
	CatalogDir      string
	Now             func() time.Time
}

func newRightsizeCmd(io *ioStreams, runF func(*rightsizeOptions) error) *cobra.Command {
	opts := &rightsizeOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "rightsize --usage INDEX --iam AUTHZ.json (--principal NAME|ARN... | --third-party | --all) [flags]",
		Short: "Suggest least-privilege policies, proved, with a diff",
		Long: `rightsize compares what each principal's policies grant with what the usage
index shows it did, and suggests the smallest identity policy that still
allows exactly that: derived statement by statement from today's policies,
keeping their conditions, their Deny statements and the permissions boundary.

Used means the successful calls in the window, mapped to IAM actions. Calls
that were refused are listed, never granted. What CloudTrail cannot show is
kept and marked, never silently removed: permission-only actions
(iam:PassRole ...), dependent actions, actions a call possibly needed when
the request parameters that decide were not logged (unless
--drop-conditional), actions whose calls are data events of a service the
logs hold no data events of, and everything when a day of the window has
no logs at all.

Every suggestion is verified before it is shown: it allows nothing today's
policies do not (proved), and every observed successful call that today's
policies allow it still allows. A suggestion that fails is an error with
the counterexample, never output.

--resources keep leaves each statement's resources; observed narrows used
actions to the resources the logs show them used on, within the statement;
generalize does the same but collapses more than 10 ARNs under one parent
into a prefix pattern. The window defaults to the index's own (its
--since/--until at ingest, else its first and last day with logs).

A wildcard of today's policy whose every action is kept stays as written
("ec2:Describe*"), and so does a NotAction statement that keeps all it
grants. --compact writes the other action lists as the fewest wildcards,
cut at words of the action names, that match exactly the kept actions in
today's catalog; such wildcards also admit actions AWS adds later.

A principal that keeps nothing gets no document but the AWS CLI commands
that detach its policies. When a day of the window has no logs, every
statement is kept as it is and the summary says which days;
--allow-gaps suggests from the days that have logs instead. A suggestion
that needs more managed policies than --max-policies (IAM's default
quota, 10) says which services dominate and also gets the service-level
form: whole services ("ec2:*") where today's policies grant them whole.

For each principal the output is the unified diff from the canonical form of
today's identity policies (all documents as one) to the suggestion, coloured
on a terminal, then a summary; --format json gives one JSON document,
--format terraform aws_iam_policy_document data sources and --format
cloudformation a template of AWS::IAM::ManagedPolicy resources. With -o DIR,
each principal gets DIR/<name>.policy.json (the document, or a list of
documents when the suggestion is split at 6,144 characters), <name>.diff,
<name>.report.json, <name>.tf and <name>.cfn.yaml, each written atomically;
<name>.detach.sh instead of the policy when nothing is kept, and
<name>.service-level.policy.json when there is a service-level form.

A principal that gets no suggestion (policies missing from the snapshot, a
failed verification) is reported on stderr, with --format json also in the
document; the others are still written, and the exit status is 1. Else it
is 4 when the usage index could not read some log file whole (stderr and
inputs.unreadable in the JSON name them) or holds no record in the window.`,
		Example: `  tailor rightsize --usage usage.parquet --iam iam.json --principal DatadogIntegrationRole
  tailor rightsize --usage usage.parquet --iam iam.json --third-party --since 90d -o rightsized/
  tailor rightsize --usage usage.parquet --iam iam.json --all --resources observed --format json
  tailor rightsize --usage usage.parquet --iam iam.json --principal DatadogIntegrationRole --compact --format terraform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Usage == "" || opts.IAM == "" {
				return flagErrorf("rightsize needs --usage INDEX and --iam AUTHZ.json")
			}
			n := 0
			for _, set := range []bool{len(opts.Principals) > 0, opts.ThirdParty, opts.All} {
				if set {
					n++
				}
			}
			if n != 1 {
				return flagErrorf("rightsize needs exactly one of --principal, --third-party and --all")
			}
			switch opts.Format {
			case "text", "json", "terraform", "cloudformation":
			default:
				return flagErrorf("--format: want text, json, terraform or cloudformation, not %q", opts.Format)
			}
			if opts.MaxPolicies < 1 {
				return flagErrorf("--max-policies: want at least 1, not %d", opts.MaxPolicies)
			}
			if _, err := rightsize.ParseResourceMode(opts.Resources); err != nil {
				return flagErrorf("--resources: want keep, observed or generalize, not %q", opts.Resources)
			}
			for _, a := range splitList(opts.OwnAccounts) {
				if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
					return flagErrorf("--own-accounts: %q is not a 12-digit account id", a)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runRightsize(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Usage, "usage", "", "the usage index `FILE` tailor ingest wrote")
	f.StringVar(&opts.IAM, "iam", "", "the IAM snapshot: `FILE` of aws iam get-account-authorization-details (or tailor iam snapshot)")
	f.StringArrayVar(&opts.Principals, "principal", nil, "rightsize the user or role `NAME|ARN`; repeat for several")
	f.BoolVar(&opts.ThirdParty, "third-party", false, "rightsize every role whose trust policy admits an account outside yours")
	f.BoolVar(&opts.All, "all", false, "rightsize every role and user (service-linked roles aside)")
	f.StringSliceVar(&opts.OwnAccounts, "own-accounts", nil, "your other `ACCOUNT`s: trust to them is not third-party")
	f.StringVar(&opts.Since, "since", "", "start of the window: `TIME` (RFC 3339, 2006-01-02, or an age like 90d); default the index's")
	f.StringVar(&opts.Until, "until", "", "end of the window (`TIME`, exclusive); default the index's")
	f.StringVar(&opts.Resources, "resources", "keep", "resources of the suggestion, `MODE`: keep, observed or generalize")
	f.StringVar(&opts.Format, "format", "text", "output `format`: text, json, terraform or cloudformation")
	f.StringVarP(&opts.Output, "output", "o", "", "write <name>.policy.json, <name>.diff and <name>.report.json per principal to `DIR`")
	f.BoolVar(&opts.DropConditional, "drop-conditional", false, "drop actions a call only possibly needed instead of keeping them, marked")
	f.BoolVar(&opts.Compact, "compact", false, "write action lists as the fewest wildcards that match exactly the kept actions")
	f.BoolVar(&opts.AllowGaps, "allow-gaps", false, "suggest from the days with logs when some days of the window have none")
	f.IntVar(&opts.MaxPolicies, "max-policies", rightsize.DefaultMaxPolicies, "managed policies a principal may attach (`N`); past it, also the service-level form")
	f.StringVar(&opts.CatalogDir, "catalog", "", "read the IAM catalog from the service reference files in `DIR`")
	return cmd
}

func runRightsize(ctx context.Context, opts *rightsizeOptions) error {
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	err = checkInputs(arg("--usage", opts.Usage, tailor.KindUsageIndex), arg("--iam", opts.IAM, tailor.KindSnapshot),
		arg("--catalog", opts.CatalogDir, tailor.KindCatalog))
	if err != nil {
		return err
	}
	cat, err := catalog.Load(catalog.Options{Dir: opts.CatalogDir})
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	snap, err := account.LoadFile(opts.IAM)
	if err != nil {
		return err
	}
	ix, err := usage.ReadFile(opts.Usage)
	if err != nil {
		return err
	}
	if err := checkAccounts(opts.io, snap, opts.IAM, ix, opts.Usage, splitList(opts.OwnAccounts)); err != nil {
		return err
	}
	mode, _ := rightsize.ParseResourceMode(opts.Resources)
	rs, err := rightsize.New(cat, ix, rightsize.Options{Since: since, Until: until, Resources: mode,
		DropConditional: opts.DropConditional, Compact: opts.Compact, AllowGaps: opts.AllowGaps, MaxPolicies: opts.MaxPolicies})
	if err != nil {
		return err
	}
	principals, err := selectPrincipals(snap, opts)
	if err != nil {
		return err
	}
	run := &report.RightsizeRun{Tool: "tailor " + version, Catalog: cat.Source(), Window: rs.Window(),
		Inputs: &report.RightsizeInputs{Usage: opts.Usage, IAM: opts.IAM, Unreadable: ix.Unreadable()}}
	var subjects []*rightsize.Subject
	for _, p := range principals {
		s, err := rs.Subject(snap, p)
		if err != nil {
			run.Failures = append(run.Failures, report.RightsizeFailure{Principal: p.ARN(), Error: err.Error()})
			continue
		}
		subjects = append(subjects, s)
	}
	for _, res := range rs.SuggestAll(ctx, subjects) {
		if res.Err != nil {
			run.Failures = append(run.Failures, report.RightsizeFailure{Principal: res.Subject.ARN, Error: res.Err.Error()})
			continue
		}
		run.Suggestions = append(run.Suggestions, res.Suggestion)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	switch {
	case opts.Output != "":
		_, err = writeRightsizeFiles(ctx, opts.io.Out, opts.Output, run)
	case opts.Format == "json":
		err = report.WriteRightsizeJSON(opts.io.Out, run)
	case opts.Format == "terraform", opts.Format == "cloudformation":
		var b []byte
		if opts.Format == "terraform" {
			b, err = report.RightsizeTerraform(run.Suggestions...)
		} else {
			b, err = report.RightsizeCloudFormation(run.Suggestions...)
		}
		if err == nil {
			_, err = opts.io.Out.Write(b)
		}
	default:
		// Failures go to stderr below, not into the text.
		text := *run
		text.Failures = nil
		err = report.WriteRightsizeText(opts.io.Out, &text, report.RightsizeTextOptions{Color: opts.io.colorEnabled()})
	}
	if err != nil {
		return err
	}
	for _, f := range run.Failures {
		fmt.Fprintf(opts.io.ErrOut, "tailor: rightsize %s: %s\n", f.Principal, f.Error)
	}
	var partial []string
	if p := partialText(run.Inputs.Unreadable); p != "" {
		printUnreadable(opts.io, run.Inputs.Unreadable)
		partial = append(partial, p)
	}
	if run.Window.DaysWithLogs == 0 {
		partial = append(partial, "the logs hold no CloudTrail records in the window: every statement is kept as it is")
	}
	return outcome(nil, len(run.Failures) > 0, strings.Join(partial, "; "))
}

// selectPrincipals returns the principals the flags name: each
// --principal, every third-party role, or every role and user.
func selectPrincipals(snap *account.Snapshot, opts *rightsizeOptions) ([]account.Principal, error) {
	var out []account.Principal
	switch {
	case len(opts.Principals) > 0:
		seen := map[string]bool{}
		for _, name := range opts.Principals {
			p, err := snap.Principal(name)
			if err != nil {
				return nil, fmt.Errorf("--principal: %w", err)
			}
			if !seen[p.ARN()] {
				seen[p.ARN()] = true
				out = append(out, p)
			}
		}
	case opts.ThirdParty:
		own := append([]string{snap.AccountID()}, splitList(opts.OwnAccounts)...)
		for _, r := range snap.Roles() {
			if r.ServiceLinked() || r.AssumeRolePolicyDocument == nil {
				continue
			}
			trust, err := policy.ParseEncodedAs(r.AssumeRolePolicyDocument, policy.KindTrust)
			if err != nil {
				return nil, fmt.Errorf("trust policy of %s: %w", r.ARN, err)
			}
			for _, t := range policy.Trustees(trust) {
				if t.External(own) {
					out = append(out, account.Principal{Kind: account.KindRole, Role: r})
					break
				}
			}
		}
	default:
		for _, r := range snap.Roles() {
			if !r.ServiceLinked() {
				out = append(out, account.Principal{Kind: account.KindRole, Role: r})
			}
		}
		for _, u := range snap.Users() {
			out = append(out, account.Principal{Kind: account.KindUser, User: u})
		}
	}
	return out, nil
}

// writeRightsizeFiles writes the three files of each suggestion into
// dir, each atomically, and lists them on w (when not nil). It returns
// the files' common path without extension per principal ARN:
// dir/<name>, or dir/<kind>-<name> when a user and a role share a name.
// The files appear together, once all are written (atomicfile.Batch): a
// cancelled run, or one that fails, leaves the directory as it was.
func writeRightsizeFiles(ctx context.Context, w io.Writer, dir string, run *report.RightsizeRun) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	// A user and a role may share a name: then both files say which.
	count := map[string]int{}
	for _, s := range run.Suggestions {
		count[report.RightsizeFileName(s.Name)]++
	}
	bases := map[string]string{}
	var lines []string
	batch := atomicfile.NewBatch(0o644)
	defer batch.Abort() // a no-op after Commit
	for _, s := range run.Suggestions {
		base := report.RightsizeFileName(s.Name)
		if count[base] > 1 {
			base = s.Kind + "-" + base
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		files, err := rightsizeFiles(s)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			path := filepath.Join(dir, base+f.ext)
			if f.data == nil {
				// A file an earlier run wrote that this suggestion has
				// no content for: leaving it would mislead.
				batch.Remove(path)
				continue
			}
			if err := batch.Write(path, func(w io.Writer) error { _, err := w.Write(f.data); return err }); err != nil {
				return nil, err
			}
		}
		bases[s.Principal] = filepath.Join(dir, base)
		lines = append(lines, fmt.Sprintf("%s: %s → %s.*\n", s.Principal, rightsizeLine(s), filepath.Join(dir, base)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := batch.Commit(); err != nil {
		return nil, err
	}
	if w != nil {
		for _, l := range lines {
			io.WriteString(w, l)
		}
	}
	return bases, nil
}

// rightsizeFile is one file of a suggestion: its extension and content,
// nil when the suggestion has none (the file is then removed).
type rightsizeFile struct {
	ext  string
	data []byte
}

// rightsizeFiles renders the files of one suggestion.
func rightsizeFiles(s *rightsize.Suggestion) ([]rightsizeFile, error) {
	var pol, detach, service []byte
	var err error
	if len(s.Detach) > 0 {
		detach = report.RightsizeDetachScript(s)
	} else if pol, err = report.RightsizePolicyJSON(s); err != nil {
		return nil, err
	}
	if s.ServiceLevel != nil {
		if service, err = report.RightsizePoliciesJSON(s.Principal, s.ServiceLevel.Policies); err != nil {
			return nil, err
		}
	}
	diff, err := report.RightsizeDiff(s)
	if err != nil {
		return nil, err
	}
	var rep bytes.Buffer
	if err := report.WriteRightsizeReport(&rep, s, "tailor "+version); err != nil {
		return nil, err
	}
	tf, err := report.RightsizeTerraform(s)
	if err != nil {
		return nil, err
	}
	cfn, err := report.RightsizeCloudFormation(s)
	if err != nil {
		return nil, err
	}
	return []rightsizeFile{{".policy.json", pol}, {".detach.sh", detach}, {".service-level.policy.json", service},
		{".diff", diff}, {".report.json", rep.Bytes()}, {".tf", tf}, {".cfn.yaml", cfn}}, nil
}

// rightsizeExtensions lists the extensions (without the leading dot) of
// the files -o DIR holds for a suggestion.
func rightsizeExtensions(s *rightsize.Suggestion) []string {
	exts := []string{"policy.json"}
	if len(s.Detach) > 0 {
		exts = []string{"detach.sh"}
	}
	if s.ServiceLevel != nil {
		exts = append(exts, "service-level.policy.json")
	}
	return append(exts, "diff", "report.json", "tf", "cfn.yaml")
}

// rightsizeLine sums a suggestion up in one line: what it keeps, in how
// many documents, and what the reader must know before applying it.
func rightsizeLine(s *rightsize.Suggestion) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d actions granted, %d used; ", s.Granted, s.Used)
	switch n := len(s.Policies); {
	case len(s.Detach) > 0:
		b.WriteString("nothing kept: detach its policies")
	case n == 1:
		b.WriteString("1 document")
	default:
		fmt.Fprintf(&b, "%d documents", n)
	}
	if w := s.Window; !w.Complete() {
		fmt.Fprintf(&b, "; %d of %d days without logs (%s)", len(w.MissingDays), w.Days, rightsize.DayRanges(w.MissingDays))
		if s.KeptAsIs {
			b.WriteString(": every statement kept as it is")
		}
	}
	if s.ServiceLevel != nil {
		fmt.Fprintf(&b, "; service-level form in %d", len(s.ServiceLevel.Policies))
	}
	return b.String()
}

// writeFileAtomic writes data to path atomically.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

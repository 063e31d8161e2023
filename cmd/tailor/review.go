package main

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// reviewOptions holds the flags of `tailor review`.
type reviewOptions struct {
	io *ioStreams

	IAM              string
	Usage            string
	Events           string
	CredentialReport string
	Resources        string
	OwnAccounts      []string
	OwnNetworks      []string
	Vendors          string
	InactiveDays     int
	KeyAgeDays       int
	Now              string
	Format           string
	FailOn           string
	CatalogDir       string
	AllPrincipals    bool

	vendorsCache string // tests: the cache file to look in
}

func newReviewCmd(io *ioStreams, runF func(*reviewOptions) error) *cobra.Command {
	opts := &reviewOptions{io: io}
	cmd := &cobra.Command{
		Use:   "review --iam AUTHZ.json [flags]",
		Short: "Review the third parties that can get into the account",
		Long: `Review every way an outside party can get into the account: roles whose trust
policy admits an account outside yours (by name, as a whole account, or
"*"), IAM users whose access keys are used from outside your networks, and
accounts the logs show assuming roles that today's trust no longer admits.

Each finding has a stable id, a severity (critical, high, medium, low, info),
the evidence (the statement, the dates, the counts) and a remedy: a corrected
trust policy, a permission boundary, the key to rotate, or the
'tailor rightsize' command to run. Principals come worst first.

The account's resource policies, shares and KMS grants (--resources, a
resources.json file: see the README) are doors too: a bucket, key, queue or
topic open to an outside account or to anyone, a service principal without
an aws:SourceAccount or aws:SourceArn condition (the confused deputy), an
AMI or snapshot shared with everyone. What each party may do is decided by
evaluating the policy, so a Deny outside the organization closes what an
Allow of "*" opened.

Every third-party role and user is checked for the known privilege
escalation paths (PassRole into a compute service it controls, policy and
trust rewrites, keys or passwords for other users, code of functions with
stronger roles, ...) against its effective permissions; --all-principals
checks every role and user of the account.

The usage index (--usage) and the activity log (--events), both written by
'tailor ingest', add what the principals did: last assumptions, unused
sensitive grants, denied-call bursts, trust changes. The credential report
adds access key ages and the root user. ExternalId values are never shown:
only their length and a short fingerprint.

"now" is the end of the logs' window unless --now says otherwise, so that a
review of old logs judges ages as of then. An address counts as outside
unless it is private, AWS-internal or in --own-networks.

With --fail-on SEVERITY the exit status is 5 when a finding at or above it
exists (after the output is written); else it is 4 when the usage index
could not read some log file whole, which stderr, inputs.unreadable in the
JSON and the text say in any case.`,
		Example: `  tailor review --iam iam.json --usage usage.parquet --events events.parquet \
      --credential-report creds.csv
  tailor review --iam iam.json --own-accounts 111122223333,444455556666 --format sarif > review.sarif
  tailor review --iam iam.json --resources resources.json --usage usage.parquet
  tailor review --iam iam.json --usage usage.parquet --fail-on high --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.IAM == "" {
				return flagErrorf("review needs --iam AUTHZ.json")
			}
			switch opts.Format {
			case "table", "json", "sarif":
			default:
				return flagErrorf("--format: want table, json or sarif, not %q", opts.Format)
			}
			if opts.FailOn != "" {
				if _, err := review.ParseSeverity(opts.FailOn); err != nil {
					return flagErrorf("--fail-on: %v", err)
				}
			}
			if opts.InactiveDays < 0 || opts.KeyAgeDays < 0 {
				return flagErrorf("--inactive-days and --key-age-days must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return runReview(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.IAM, "iam", "", "the IAM snapshot: `FILE` of aws iam get-account-authorization-details (or tailor iam snapshot)")
	f.StringVar(&opts.Usage, "usage", "", "the usage index `FILE` tailor ingest wrote")
	f.StringVar(&opts.Events, "events", "", "the activity log `FILE` tailor ingest --events wrote")
	f.StringVar(&opts.CredentialReport, "credential-report", "", "the IAM credential report `FILE` (CSV or aws iam get-credential-report JSON)")
	f.StringVar(&opts.Resources, "resources", "", "the account's resource policies and shares: a resources.json `FILE` (see the README)")
	f.StringSliceVar(&opts.OwnAccounts, "own-accounts", nil, "your other `ACCOUNT`s: trust to them is not third-party")
	f.StringSliceVar(&opts.OwnNetworks, "own-networks", nil, "your address ranges (`CIDR`s): keys used from elsewhere are used from outside")
	f.StringVar(&opts.Vendors, "vendors", "", "the known-accounts list `FILE` (default: the cache 'tailor vendors update' fills)")
	f.IntVar(&opts.InactiveDays, "inactive-days", 90, "a third-party role or access key unused this many `DAYS` is a finding")
	f.IntVar(&opts.KeyAgeDays, "key-age-days", 90, "access keys older than this many `DAYS` should be rotated")
	f.StringVar(&opts.Now, "now", "", "judge ages as of `TIME` (default: the end of the logs' window, else the credential report's date, else the clock)")
	f.StringVar(&opts.Format, "format", "table", "output `format`: table, json or sarif")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit with status 5 when a finding at or above `SEVERITY` exists")
	f.StringVar(&opts.CatalogDir, "catalog", "", "read the IAM catalog from the service reference files in `DIR`")
	f.BoolVar(&opts.AllPrincipals, "all-principals", false, "look for privilege escalation paths in every role and user, not only third parties")
	return cmd
}

func runReview(ctx context.Context, opts *reviewOptions) error {
	in, ro, err := reviewInputs(opts)
	if err != nil {
		return err
	}
	rep, err := review.Review(ctx, in, ro)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		err = report.WriteReviewJSON(opts.io.Out, rep, "tailor "+version)
	case "sarif":
		err = report.WriteSARIF(opts.io.Out, rep, reviewSARIFOptions(opts.IAM, opts.Resources, in.Resources))
	default:
		err = report.WriteReviewText(opts.io.Out, rep, report.TextOptions{Width: reviewTextWidth(opts.io), Color: opts.io.colorEnabled()})
	}
	if err != nil {
		return err
	}
	var partial string
	if in.Usage != nil {
		unreadable := in.Usage.Unreadable()
		printUnreadable(opts.io, unreadable)
		partial = partialText(unreadable)
	}
	return outcome(failOn(opts.FailOn, rep), false, partial)
}

// failOn returns the error that makes the exit status 5 when the report
// has a finding at or above the severity named (none when it is "").
func failOn(severity string, rep *review.Report) error {
	if severity == "" {
		return nil
	}
	sev, _ := review.ParseSeverity(severity)
	if n := rep.Counts.AtLeast(sev); n > 0 {
		return &codeError{code: exitFindings, msg: fmt.Sprintf("%d %s at or above %s", n, reviewPlural(n, "finding", "findings"), sev)}
	}
	return nil
}

// reviewSARIFOptions points SARIF results into the IAM snapshot file, and
// those about resources into the resources file.
func reviewSARIFOptions(iamPath, resourcesPath string, resources []account.Resource) report.SARIFOptions {
	so := report.SARIFOptions{ToolVersion: version, Artifact: iamPath, ResourcesArtifact: resourcesPath}
	if text, err := os.ReadFile(iamPath); err == nil {
		so.Line = report.LineIndex(text)
	}
	lines := map[string]int{}
	for _, r := range resources {
		if _, ok := lines[r.ARN]; !ok {
			lines[r.ARN] = r.Line
		}
	}
	so.ResourceLine = func(arn string) int { return lines[arn] }
	return so
}

// reviewInputs reads what the review flags name: the snapshot, the usage
// index, the activity log, the credential report and the known-accounts
// list, and the review's options.
func reviewInputs(opts *reviewOptions) (review.Input, review.Options, error) {
	var in review.Input
	ro := review.Options{InactiveDays: opts.InactiveDays, KeyAgeDays: opts.KeyAgeDays, AllPrincipals: opts.AllPrincipals}
	for _, a := range splitList(opts.OwnAccounts) {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return in, ro, flagErrorf("--own-accounts: %q is not a 12-digit account id", a)
		}
		ro.OwnAccounts = append(ro.OwnAccounts, a)
	}
	for _, n := range splitList(opts.OwnNetworks) {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			a, aerr := netip.ParseAddr(n)
			if aerr != nil {
				return in, ro, flagErrorf("--own-networks: %q is not a CIDR block or an address", n)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		ro.OwnNetworks = append(ro.OwnNetworks, p.Masked())
	}
	if opts.Now != "" {
		t, err := parseTimeFlag(opts.Now, time.Now())
		if err != nil {
			return in, ro, flagErrorf("--now: %v", err)
		}
		ro.Now = t
	}
	err := checkInputs(
		arg("--iam", opts.IAM, tailor.KindSnapshot),
		arg("--usage", opts.Usage, tailor.KindUsageIndex),
		arg("--events", opts.Events, tailor.KindActivityLog),
		arg("--credential-report", opts.CredentialReport, tailor.KindCredentialReport),
		arg("--resources", opts.Resources, tailor.KindResources),
		arg("--vendors", opts.Vendors, tailor.KindVendors),
		arg("--catalog", opts.CatalogDir, tailor.KindCatalog),
	)
	if err != nil {
		return in, ro, err
	}
	cat, err := catalog.Load(catalog.Options{Dir: opts.CatalogDir})
	if err != nil {
		return in, ro, err
	}
	ro.Catalog = cat

	in = review.Input{IAMPath: opts.IAM, UsagePath: opts.Usage, EventsPath: opts.Events, CredentialsPath: opts.CredentialReport}
	if in.Snapshot, err = account.LoadFile(opts.IAM); err != nil {
		return in, ro, err
	}
	if opts.Usage != "" {
		if in.Usage, err = usage.ReadFile(opts.Usage); err != nil {
			return in, ro, err
		}
		if err := checkAccounts(opts.io, in.Snapshot, opts.IAM, in.Usage, opts.Usage, ro.OwnAccounts); err != nil {
			return in, ro, err
		}
	}
	if opts.Events != "" {
		if _, err := os.Stat(opts.Events); err != nil {
			return in, ro, fmt.Errorf("read activity log: %w", err)
		}
		path := opts.Events
		in.Events = func(fn func(*usage.Activity) error) error { return usage.ScanActivity(path, fn) }
	}
	if opts.CredentialReport != "" {
		if in.Credentials, err = account.LoadCredentialReport(opts.CredentialReport); err != nil {
			return in, ro, err
		}
	}
	if opts.Resources != "" {
		in.ResourcesPath = opts.Resources
		if in.Resources, err = account.LoadResources(opts.Resources); err != nil {
			return in, ro, err
		}
	}
	if in.Vendors, err = loadVendors(opts.io, opts.Vendors, opts.vendorsCache); err != nil {
		return in, ro, err
	}
	return in, ro, nil
}

// reviewTextWidth is the width text output fits: the terminal's, else 100.
func reviewTextWidth(io *ioStreams) int {
	if io.stdoutTTY && io.width > 0 {
		return io.width
	}
	return 100
}

func reviewPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

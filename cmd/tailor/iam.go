package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
)

// newIAMCmd groups the commands that work with IAM snapshots.
func newIAMCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "iam",
		Example: `  tailor iam snapshot -o iam.json --credential-report creds.csv`,
		Short:   "Take IAM snapshots of an account",
	}
	cmd.AddCommand(newIAMSnapshotCmd(io, nil), newIAMAddLastAccessedCmd(io, nil))
	return cmd
}

// iamSnapshotOptions holds the flags of `tailor iam snapshot`.
type iamSnapshotOptions struct {
	io *ioStreams

	Output           string
	CredentialReport string
	Profile          string
	Region           string
	EndpointURL      string
	NoLastAccessed   bool
	LastAccessedJobs int

	// reportPoll is the wait between credential report checks, and
	// jobPoll the first wait between checks of a last accessed job; 0
	// means the account package's default. Tests shorten them.
	reportPoll, jobPoll time.Duration
}

func newIAMSnapshotCmd(io *ioStreams, runF func(*iamSnapshotOptions) error) *cobra.Command {
	opts := &iamSnapshotOptions{io: io}
	cmd := &cobra.Command{
		Use:   "snapshot -o FILE",
		Short: "Fetch the account's IAM configuration into a file",
		Long: `Fetch the IAM configuration of the account the credentials belong to: users,
groups and memberships, roles with their trust policies and last use, inline
and managed policies (with their default versions), permissions boundaries and
tags, with paginated calls to GetAccountAuthorizationDetails. Managed policies
that are attached but missing from IAM's answer are looked up one by one.

The file has the JSON shape of "aws iam get-account-authorization-details",
so either can be given wherever tailor reads an IAM snapshot. It is written
atomically (a temporary file renamed into place) with mode 0600.

Unless --no-last-accessed, also fetch IAM's last accessed report of every
user and role (GenerateServiceLastAccessedDetails at action level, then
GetServiceLastAccessedDetails until the job completes): when each service,
and each action IAM tracks, was last used, over IAM's tracking period. The
reports go into the same file, under the key "ServiceLastAccessedDetails",
as a second witness beside CloudTrail. --last-accessed-jobs principals are
in flight at once; on big accounts this takes minutes. A principal IAM
cannot report on (denied, failed) is a warning, not an error.

With --credential-report, also have IAM generate the credential report, wait
for it, and write it as CSV.

Credentials come from the standard AWS chain: environment variables, the
shared config and credentials files (--profile picks a profile), SSO, and
container or instance roles. IAM is global; --region only picks the endpoint
region (default us-east-1).

Required IAM permissions, all read-only (the AWS managed policy SecurityAudit
grants them):
` + iamActionList(),
		Example: `  tailor iam snapshot -o authz.json
  tailor iam snapshot -o authz.json --profile audit --credential-report creds.csv
  tailor iam snapshot -o authz.json --no-last-accessed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output == "" {
				return flagErrorf("-o/--output is required")
			}
			if opts.CredentialReport != "" && opts.CredentialReport == opts.Output {
				return flagErrorf("--credential-report and --output name the same file")
			}
			if opts.LastAccessedJobs < 1 || opts.LastAccessedJobs > 20 {
				return flagErrorf("--last-accessed-jobs must be 1 to 20, not %d", opts.LastAccessedJobs)
			}
			if runF != nil {
				return runF(opts)
			}
			return runIAMSnapshot(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write the authorization details JSON to `FILE`")
	f.StringVar(&opts.CredentialReport, "credential-report", "", "also write the IAM credential report CSV to `FILE`")
	f.StringVar(&opts.Profile, "profile", "", "use the profile `NAME` from the shared AWS config and credentials files")
	f.StringVar(&opts.Region, "region", "", "AWS `REGION` of the IAM endpoint (default: from the AWS config, else us-east-1)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "send IAM calls to this `URL` instead of AWS's endpoint")
	f.BoolVar(&opts.NoLastAccessed, "no-last-accessed", false, "skip IAM's last accessed reports of users and roles (slow on big accounts)")
	f.IntVar(&opts.LastAccessedJobs, "last-accessed-jobs", 4, "last accessed jobs in flight at once, `N` from 1 to 20")
	return cmd
}

// iamActionList lists the IAM actions the command needs, one per line.
func iamActionList() string {
	var b strings.Builder
	for _, a := range account.SnapshotActions() {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	for _, a := range account.LastAccessedActions() {
		fmt.Fprintf(&b, "  %-40s (unless --no-last-accessed)\n", a)
	}
	for _, a := range account.ReportActions() {
		fmt.Fprintf(&b, "  %-40s (with --credential-report)\n", a)
	}
	return b.String()
}

func runIAMSnapshot(ctx context.Context, opts *iamSnapshotOptions) error {
	io := opts.io
	client, err := newIAMClient(ctx, opts.Profile, opts.Region, opts.EndpointURL)
	if err != nil {
		return err
	}
	snap, err := fetchIAMSnapshot(ctx, io, client)
	if err != nil {
		return err
	}
	var lastAccessed string
	if !opts.NoLastAccessed {
		if snap, lastAccessed, err = fetchLastAccessed(ctx, io, client, snap, opts); err != nil {
			return err
		}
	}
	if err := account.SaveAuthorizationDetails(opts.Output, snap.Details()); err != nil {
		return err
	}
	for _, w := range snap.Warnings() {
		fmt.Fprintf(io.ErrOut, "warning: %s\n", w)
	}
	fmt.Fprintf(io.ErrOut, "wrote %s: account %s, %d users, %d groups, %d roles, %d managed policies%s\n",
		opts.Output, orUnknown(snap.AccountID()), len(snap.Users()), len(snap.Groups()), len(snap.Roles()), len(snap.Policies()), lastAccessed)

	if opts.CredentialReport == "" {
		return nil
	}
	if io.stderrTTY {
		fmt.Fprintln(io.ErrOut, "waiting for IAM to generate the credential report…")
	}
	csv, generated, err := account.FetchCredentialReport(ctx, client, account.ReportOptions{PollInterval: opts.reportPoll})
	if err != nil {
		return err
	}
	rep, err := account.ReadCredentialReport(bytes.NewReader(csv), "credential report from IAM")
	if err != nil {
		return err
	}
	if err := account.SaveCredentialReport(opts.CredentialReport, csv); err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "wrote %s: credential report generated %s, %d rows\n",
		opts.CredentialReport, generated.Format(time.RFC3339), len(rep.Credentials))
	return nil
}

// fetchLastAccessed adds IAM's last accessed reports of the snapshot's users
// and roles to it, with progress on a terminal and the principals left
// without a report on stderr. It returns the new snapshot and a clause for
// the summary line.
func fetchLastAccessed(ctx context.Context, io *ioStreams, client *iam.Client, snap *account.Snapshot, opts *iamSnapshotOptions) (*account.Snapshot, string, error) {
	var arns []string
	for _, u := range snap.Users() {
		arns = append(arns, u.ARN)
	}
	for _, r := range snap.Roles() {
		arns = append(arns, r.ARN)
	}
	if len(arns) == 0 {
		return snap, "", nil
	}
	la := account.LastAccessedOptions{Jobs: opts.LastAccessedJobs, PollInterval: opts.jobPoll}
	if io.stderrTTY {
		la.OnDone = func(done, total int) {
			fmt.Fprintf(io.ErrOut, "\rfetching IAM last accessed details: %d/%d users and roles", done, total)
		}
	}
	reports, warnings, err := account.FetchLastAccessed(ctx, client, arns, la)
	if io.stderrTTY {
		fmt.Fprintln(io.ErrOut)
	}
	if err != nil {
		return nil, "", err
	}
	const shown = 5
	for i, w := range warnings {
		if i == shown {
			fmt.Fprintf(io.ErrOut, "warning: … and %d more users and roles without a last accessed report\n", len(warnings)-shown)
			break
		}
		fmt.Fprintf(io.ErrOut, "warning: %s\n", w)
	}
	failed := 0
	for _, r := range reports {
		if !r.Complete() {
			failed++
		}
	}
	return snap.WithLastAccessed(reports), fmt.Sprintf(", last accessed reports of %d of %d users and roles", len(reports)-failed, len(arns)), nil
}

// newIAMClient returns an IAM client with the standard credential chain,
// the profile, the endpoint region (default us-east-1) and endpoint given.
// Throttled calls are retried up to 10 times with the SDK's backoff, without
// the SDK's client-side retry quota, which a long run of polling jobs would
// exhaust and then fail calls IAM would have answered.
func newIAMClient(ctx context.Context, profile, region, endpointURL string) (*iam.Client, error) {
	loadOpts := []func(*config.LoadOptions) error{config.WithAppID(appID()),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 10
				o.RateLimiter = ratelimit.None
			})
		})}
	if profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		loadOpts = append(loadOpts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if endpointURL != "" {
			o.BaseEndpoint = aws.String(endpointURL)
		}
	}, account.ClientOptions), nil
}

// fetchIAMSnapshot fetches the account's authorization details, with
// progress on a terminal and warnings on stderr.
func fetchIAMSnapshot(ctx context.Context, io *ioStreams, client *iam.Client) (*account.Snapshot, error) {
	fetch := account.FetchOptions{
		Logger: slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{
			Level: slog.LevelWarn,
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		})),
	}
	if io.stderrTTY {
		fetch.OnPage = func(pages int, d *account.AuthorizationDetails) {
			fmt.Fprintf(io.ErrOut, "\rfetching IAM authorization details: page %d (%d users, %d groups, %d roles, %d policies)",
				pages, len(d.UserDetailList), len(d.GroupDetailList), len(d.RoleDetailList), len(d.Policies))
		}
	}
	d, err := account.FetchAuthorizationDetails(ctx, client, fetch)
	if io.stderrTTY {
		fmt.Fprintln(io.ErrOut)
	}
	if err != nil {
		return nil, err
	}
	return account.New(d)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// iamAddLastAccessedOptions holds the flags of `tailor iam add-last-accessed`.
type iamAddLastAccessedOptions struct {
	io *ioStreams

	IAM    string
	Output string
	Paths  []string
}

func newIAMAddLastAccessedCmd(io *ioStreams, runF func(*iamAddLastAccessedOptions) error) *cobra.Command {
	opts := &iamAddLastAccessedOptions{io: io}
	cmd := &cobra.Command{
		Use:   "add-last-accessed --iam FILE -o FILE PATH...",
		Short: "Add last accessed reports the AWS CLI wrote to an IAM snapshot",
		Long: `Read IAM last accessed reports that the AWS CLI wrote, one principal's per
file, and write the snapshot given with --iam with them added, as tailor iam
snapshot would have fetched them. Each PATH is such a file or a directory of
them (every *.json below it). A file holds the output of

  aws iam get-service-last-accessed-details --job-id ID

for the job that "aws iam generate-service-last-accessed-details --arn ARN
--granularity ACTION_LEVEL" started. Whose report a file holds is, in order:
its "Arn" key (add it with jq); the user or role its path names below the
directory (role/NAME.json, user/NAME.json, or NAME.json); or the one
LastAuthenticatedEntity in it. A report naming another principal, or one
whose job is still IN_PROGRESS, is an error. A report replaces any the
snapshot held for the same principal.`,
		Example: `  tailor iam add-last-accessed --iam authz.json -o authz.json last-accessed/
  tailor iam add-last-accessed --iam authz.json -o with-la.json role/deploy.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.IAM == "" || opts.Output == "" {
				return flagErrorf("--iam and -o/--output are required")
			}
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return runIAMAddLastAccessed(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.IAM, "iam", "", "the IAM snapshot: `FILE` of aws iam get-account-authorization-details (or tailor iam snapshot)")
	f.StringVarP(&opts.Output, "output", "o", "", "write the snapshot with the reports to `FILE` (may be the --iam file)")
	return cmd
}

func runIAMAddLastAccessed(opts *iamAddLastAccessedOptions) error {
	args := []input{arg("--iam", opts.IAM, tailor.KindSnapshot)}
	for _, p := range opts.Paths {
		args = append(args, arg("PATH", p, tailor.KindLastAccessed))
	}
	if err := checkInputs(args...); err != nil {
		return err
	}
	snap, err := account.LoadFile(opts.IAM)
	if err != nil {
		return err
	}
	var files []account.LastAccessedFile
	for _, p := range opts.Paths {
		f, err := account.LoadLastAccessed(p)
		if err != nil {
			return err
		}
		files = append(files, f...)
	}
	reports, err := snap.ResolveLastAccessed(files)
	if err != nil {
		return err
	}
	snap = snap.WithLastAccessed(reports)
	if err := account.SaveAuthorizationDetails(opts.Output, snap.Details()); err != nil {
		return err
	}
	for _, w := range snap.Warnings() {
		if w.Kind == account.WarnLastAccessed {
			fmt.Fprintf(opts.io.ErrOut, "warning: %s\n", w)
		}
	}
	fmt.Fprintf(opts.io.ErrOut, "wrote %s: %d last accessed reports added; %d users and roles of %d have one\n",
		opts.Output, len(reports), len(snap.Details().ServiceLastAccessedDetails), len(snap.Users())+len(snap.Roles()))
	return nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor/account"
)

// newIAMCmd groups the commands that work with IAM snapshots.
func newIAMCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "iam",
		Example: `  tailor iam snapshot -o iam.json --credential-report creds.csv`,
		Short:   "Take IAM snapshots of an account",
	}
	cmd.AddCommand(newIAMSnapshotCmd(io, nil))
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

	// reportPoll is the wait between credential report checks; 0 means
	// the account package's default. Tests shorten it.
	reportPoll time.Duration
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
  tailor iam snapshot -o authz.json --profile audit --credential-report creds.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output == "" {
				return flagErrorf("-o/--output is required")
			}
			if opts.CredentialReport != "" && opts.CredentialReport == opts.Output {
				return flagErrorf("--credential-report and --output name the same file")
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
	return cmd
}

// iamActionList lists the IAM actions the command needs, one per line.
func iamActionList() string {
	var b strings.Builder
	for _, a := range account.SnapshotActions() {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	for _, a := range account.ReportActions() {
		fmt.Fprintf(&b, "  %-36s (with --credential-report)\n", a)
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
	if err := account.SaveAuthorizationDetails(opts.Output, snap.Details()); err != nil {
		return err
	}
	for _, w := range snap.Warnings() {
		fmt.Fprintf(io.ErrOut, "warning: %s\n", w)
	}
	fmt.Fprintf(io.ErrOut, "wrote %s: account %s, %d users, %d groups, %d roles, %d managed policies\n",
		opts.Output, orUnknown(snap.AccountID()), len(snap.Users()), len(snap.Groups()), len(snap.Roles()), len(snap.Policies()))

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

// newIAMClient returns an IAM client with the standard credential chain,
// the profile, the endpoint region (default us-east-1) and endpoint given.
func newIAMClient(ctx context.Context, profile, region, endpointURL string) (*iam.Client, error) {
	loadOpts := []func(*config.LoadOptions) error{config.WithRetryMaxAttempts(10), config.WithAppID(appID())}
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

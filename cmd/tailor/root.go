package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// appID names tailor in the User-Agent of its AWS requests (app/tailor-
// VERSION), so that an account's own logs tell tailor's reads apart.
func appID() string {
	id := []byte("tailor-" + version)
	for i, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			id[i] = '-'
		}
	}
	return string(id[:min(len(id), 50)]) // the SDK's limit
}

func newRootCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tailor",
		Short: "What did each principal do in my AWS account, and what is the smallest policy that still lets it?",
		Long: `tailor reads CloudTrail logs and an IAM snapshot of an AWS account. It builds a
usage index of who called which IAM action on which resource, per day; it
suggests least-privilege policies with a proof; and it reviews the third
parties that can get into the account.`,
		Example: `  tailor analyze testdata/demo/AWSLogs --iam testdata/demo/iam.json -o demo-report
  tailor ingest testdata/demo -o usage.parquet
  tailor usage show usage.parquet --principal '*vendor*'`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without arguments: a short guide to the main commands.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(io.Out, guide)
			return err
		},
	}
	cmd.SetVersionTemplate("tailor {{.Version}}\n")
	// Our own completion command, with examples and tests.
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetIn(io.In)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	cmd.SetUsageTemplate(cmd.UsageTemplate() + "\n" + exitCodeHelp + "\n")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })

	cmd.AddCommand(
		newIngestCmd(io, nil),
		newUsageCmd(io),
		newCatalogCmd(io),
		newSimulateCmd(io),
		newIAMCmd(io),
		newRightsizeCmd(io, nil),
		newReviewCmd(io, nil),
		newActivityCmd(io, nil),
		newVendorsCmd(io, nil),
		newAnalyzeCmd(io, nil),
		newVersionCmd(io),
		newCompletionCmd(io),
	)
	return cmd
}

// guide is what tailor prints without arguments.
const guide = `tailor: what did each principal, above all each third party, do in your AWS
account, and what is the smallest policy that still lets it do that?

Start here (the whole job, one report to open in a browser):
  tailor analyze LOGS... --iam iam.json -o out/     then open out/report.html

Try it on the bundled demo:
  tailor analyze testdata/demo/AWSLogs --iam testdata/demo/iam.json -o demo-report

Step by step:
  tailor iam snapshot -o iam.json                    fetch the IAM snapshot (read-only)
  tailor ingest LOGS... -o usage.parquet --events events.parquet
                                                     read CloudTrail into a usage index
  tailor review --iam iam.json --usage usage.parquet review the third parties
  tailor rightsize --usage usage.parquet --iam iam.json --third-party
                                                     suggest least-privilege policies
  tailor activity --events events.parquet --vendor Datadog
                                                     what a vendor did, session by session

More: tailor --help (every command), tailor COMMAND --help (with examples),
tailor completion --help (tab completion), tailor version.
`

// run executes the command line args and returns the exit status.
func run(ctx context.Context, io *ioStreams, args []string) int {
	cmd := newRootCmd(io)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		var ce *codeError
		if !errors.As(err, &ce) || ce.msg != "" {
			fmt.Fprintf(io.ErrOut, "tailor: %v\n", err)
		}
		var fe *flagError
		if errors.As(err, &fe) {
			fmt.Fprintln(io.ErrOut, "Run 'tailor --help' for usage.")
		}
	}
	return exitCode(err)
}

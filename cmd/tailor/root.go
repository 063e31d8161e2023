package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newRootCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tailor",
		Short: "What did each principal do in my AWS account, and what is the smallest policy that still lets it?",
		Long: `tailor reads CloudTrail logs and an IAM snapshot of an AWS account. It builds a
usage index of who called which IAM action on which resource, per day; it
suggests least-privilege policies with a proof; and it reviews the third
parties that can get into the account.`,
		Example: `  tailor ingest testdata/demo -o usage.parquet
  tailor usage show usage.parquet --principal '*vendor*'`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
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
	)
	return cmd
}

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

// Command trailgen writes synthetic CloudTrail archives and the bundled
// demo data set. It is a thin front to internal/trailgen.
//
//	trailgen demo -o testdata/demo
//	trailgen archive -o /tmp/trail --size 1GiB --accounts 3 --regions 3 --days 7 --digests
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor/internal/trailgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Stdout, os.Stderr, os.Args[1:]))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

type usageError struct{ error }

func run(ctx context.Context, out, errOut io.Writer, args []string) int {
	cmd := newRootCmd(out)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(errOut, "trailgen: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, trailgen.ErrOptions) {
		return exitUsage
	}
	return exitError
}

func newRootCmd(out io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "trailgen",
		Short:         "Write synthetic CloudTrail archives and the demo data set",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newDemoCmd(out), newArchiveCmd(out))
	return root
}

func newDemoCmd(out io.Writer) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo -o DIR",
		Short: "Regenerate the bundled demo data set (testdata/demo)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := trailgen.Demo(dir); err != nil {
				return err
			}
			fmt.Fprintf(out, "wrote demo data set to %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "testdata/demo", "directory to write the demo into")
	return cmd
}

type archiveOptions struct {
	dir   string
	size  string
	start string
	opts  trailgen.Options
}

func newArchiveCmd(out io.Writer) *cobra.Command {
	o := &archiveOptions{}
	cmd := &cobra.Command{
		Use:   "archive -o DIR --size SIZE",
		Short: "Write a synthetic CloudTrail archive of about SIZE uncompressed bytes",
		Example: `  trailgen archive -o /tmp/trail --size 1GiB
  trailgen archive -o /tmp/org --size 200MiB --accounts 5 --org o-a1b2c3d4e5 --digests
  trailgen archive -o /tmp/both --size 200MiB --org o-a1b2c3d4e5 --overlap`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.dir == "" {
				return usageError{errors.New("--output is required")}
			}
			size, err := trailgen.ParseSize(o.size)
			if err != nil {
				return err
			}
			o.opts.Size = size
			if o.start != "" {
				t, err := time.Parse("2006-01-02", o.start)
				if err != nil {
					return usageError{fmt.Errorf("--start %q is not a date (yyyy-mm-dd)", o.start)}
				}
				o.opts.Start = t
			}
			began := time.Now()
			sum, err := trailgen.WriteArchive(cmd.Context(), o.dir, o.opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "trailgen: wrote %v to %s in %v\n", sum, o.dir, time.Since(began).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.dir, "output", "o", "", "directory to write the archive into")
	f.StringVar(&o.size, "size", "64MiB", "uncompressed bytes of records, e.g. 1GiB, 200MB")
	f.IntVar(&o.opts.Accounts, "accounts", 3, "number of accounts")
	f.IntVar(&o.opts.Regions, "regions", 3, "number of regions (the first is us-east-1)")
	f.StringVar(&o.opts.OrgID, "org", "", "organization id (o-...): write the organization trail layout")
	f.BoolVar(&o.opts.Overlap, "overlap", false, "with --org, also deliver every record through each account's own trail, batched otherwise")
	f.StringVar(&o.opts.Prefix, "prefix", "", "key prefix before AWSLogs/")
	f.StringVar(&o.start, "start", "2026-01-01", "first day (yyyy-mm-dd, UTC)")
	f.IntVar(&o.opts.Days, "days", 7, "number of days")
	f.Uint64Var(&o.opts.Seed, "seed", 0, "seed: the same seed and flags give byte-identical files")
	f.BoolVar(&o.opts.Digests, "digests", false, "also write CloudTrail-Digest files")
	f.IntVar(&o.opts.Workers, "workers", 0, "files generated at once (default: all cores)")
	return cmd
}

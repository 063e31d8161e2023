package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/usage"
)

type ingestOptions struct {
	io *ioStreams

	Sources    []string
	Output     string
	Since      string
	Until      string
	Accounts   []string
	Regions    []string
	Principals []string
	Workers    int
	Events     string
	Progress   string
	Strict     bool
	Now        func() time.Time

	// S3 sources
	Profile       string
	AWSRegion     string
	EndpointURL   string
	RequesterPays bool
	MaxGETs       int
}

func newIngestCmd(io *ioStreams, runF func(*ingestOptions) error) *cobra.Command {
	opts := &ingestOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "ingest SOURCE... -o INDEX.parquet",
		Short: "Read CloudTrail logs into a usage index",
		Long: `Read CloudTrail logs and write the usage index: one row per day, account,
principal, caller account, event, resource and region, with the number of
calls, denied calls and other errors, and when they were first and last seen.

A SOURCE is a directory (walked recursively), a file, - for stdin, or
s3://bucket/prefix. Under a CloudTrail layout (AWSLogs/[o-org/]account/
CloudTrail/region/yyyy/mm/dd/) only the days, accounts and regions the
filters select are listed and read. Files
may be CloudTrail delivery files ({"Records":[...]}, .json or .json.gz), JSON
arrays or JSON lines of records, aws cloudtrail lookup-events output, or zip
archives of these. Digest files are skipped.

A file that cannot be read whole is reported with where it broke; what came
before the break is kept and the run goes on (exit status 4), unless --strict.`,
		Example: `  tailor ingest testdata/demo -o usage.parquet
  tailor ingest ./AWSLogs --since 90d --account 111122223333 -o usage.parquet
  zcat trail.json.gz | tailor ingest - --principal '*vendor*' -o vendor.parquet
  tailor ingest s3://org-trail/AWSLogs/o-a1b2c3d4e5 --since 30d --profile audit -o usage.parquet`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("ingest needs at least one SOURCE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			if opts.Output == "" {
				return flagErrorf("ingest needs -o INDEX.parquet")
			}
			if runF != nil {
				return runF(opts)
			}
			return runIngest(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write the usage index to `FILE` (Parquet)")
	f.StringVar(&opts.Since, "since", "", "only records at or after `TIME` (RFC 3339, 2006-01-02, or an age like 90d)")
	f.StringVar(&opts.Until, "until", "", "only records before `TIME`")
	f.StringSliceVar(&opts.Accounts, "account", nil, "only records of these recipient `ACCOUNT`s")
	f.StringSliceVar(&opts.Regions, "region", nil, "only records of these `REGION`s")
	f.StringSliceVar(&opts.Principals, "principal", nil, "only calls of principals whose ARN matches `GLOB` (* matches any run, ? one character)")
	f.IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "decode `N` files at once")
	f.StringVar(&opts.Events, "events", "", "also write the activity log (one row per event) to `FILE` (Parquet)")
	f.StringVar(&opts.Progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), always, never")
	f.BoolVar(&opts.Strict, "strict", false, "stop at the first file that cannot be read whole")
	f.StringVar(&opts.Profile, "profile", "", "S3: the AWS shared config `PROFILE` (default: the standard credential chain)")
	f.StringVar(&opts.AWSRegion, "aws-region", "", "S3: the bucket's `REGION` (default: from the AWS config, else us-east-1)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "S3: an S3-compatible server's `URL`, with path-style addressing")
	f.BoolVar(&opts.RequesterPays, "requester-pays", false, "S3: agree to pay for requests to a requester-pays bucket")
	f.IntVar(&opts.MaxGETs, "max-gets", 0, "S3: objects fetched at once (default 16)")
	return cmd
}

func runIngest(ctx context.Context, opts *ingestOptions) error {
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	showProgress, err := progressEnabled(opts.Progress, opts.io)
	if err != nil {
		return err
	}
	if opts.Workers < 1 {
		return flagErrorf("--workers must be at least 1")
	}
	var sources []ingest.Source
	for _, arg := range opts.Sources {
		var src ingest.Source
		var err error
		if strings.HasPrefix(arg, "s3://") {
			src, err = s3.New(ctx, arg, s3.Options{
				Profile:           opts.Profile,
				Region:            opts.AWSRegion,
				EndpointURL:       opts.EndpointURL,
				RequesterPays:     opts.RequesterPays,
				MaxConcurrentGETs: opts.MaxGETs,
			})
		} else {
			src, err = ingest.LocalSource(arg, opts.io.In)
		}
		if err != nil {
			return fmt.Errorf("source %s: %w", arg, err)
		}
		sources = append(sources, src)
	}
	filter := ingest.Filter{
		Since:      since,
		Until:      until,
		Accounts:   splitList(opts.Accounts),
		Regions:    splitList(opts.Regions),
		Principals: splitList(opts.Principals),
	}
	sessions := usage.NewSessions()
	builders := make([]*usage.Builder, opts.Workers)
	var spools []*usage.ActivitySpool
	if opts.Events != "" {
		spools = make([]*usage.ActivitySpool, opts.Workers)
		for i := range spools {
			if spools[i], err = usage.NewActivitySpool(""); err != nil {
				for _, s := range spools[:i] {
					s.Remove()
				}
				return err
			}
		}
	}
	stats := new(ingest.Stats)
	start := time.Now()
	bar := startProgress(opts.io, stats, showProgress)
	res, err := ingest.Run(ctx, sources, ingest.Options{
		Filter:  filter,
		Workers: opts.Workers,
		// Record the request parameters that decide conditional actions,
		// so the catalog can tell them apart when the index is read.
		Decoder: ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		Strict:  opts.Strict,
		Stats:   stats,
		NewSink: func(i int) ingest.Sink {
			builders[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
			if spools != nil {
				return ingest.Tee(builders[i], spools[i])
			}
			return builders[i]
		},
	})
	bar.stop()
	if err != nil {
		for _, s := range spools {
			s.Remove()
		}
		if res != nil {
			printProblems(opts.io, res.Problems)
		}
		return err
	}
	if spools != nil {
		if err := usage.FinishActivity(opts.Events, sessions, spools...); err != nil {
			return fmt.Errorf("activity log: %w", err)
		}
	}
	ix := usage.Finish(usage.Meta{
		Tool:       "tailor " + version,
		Created:    opts.Now().UTC(),
		Since:      since,
		Until:      until,
		Accounts:   filter.Accounts,
		Regions:    filter.Regions,
		Principals: filter.Principals,
	}, builders...)
	if err := ix.WriteFile(opts.Output); err != nil {
		return err
	}
	for _, n := range res.NotLogs {
		fmt.Fprintf(opts.io.ErrOut, "skipped: %v\n", n)
	}
	fmt.Fprintf(opts.io.ErrOut, "%s; %d index rows → %s\n", summary(res.Stats, time.Since(start)), ix.Len(), opts.Output)
	if len(res.Problems) > 0 {
		printProblems(opts.io, res.Problems)
		return &codeError{code: exitPartial, msg: fmt.Sprintf("%d of %d files could not be read whole; the index holds everything else", len(res.Problems), res.Stats.Done)}
	}
	return nil
}

// printProblems lists the files that could not be read whole.
func printProblems(io *ioStreams, problems []*ingest.FileError) {
	const max = 50
	for i, p := range problems {
		if i == max {
			fmt.Fprintf(io.ErrOut, "… and %d more\n", len(problems)-max)
			break
		}
		fmt.Fprintf(io.ErrOut, "unreadable: %v\n", p)
	}
}

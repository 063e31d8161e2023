package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// activityOptions holds the flags of `tailor activity`.
type activityOptions struct {
	io *ioStreams

	Events         string
	Principals     []string
	CallerAccounts []string
	VendorNames    []string
	Vendors        string
	Since          string
	Until          string
	Baseline       time.Duration
	Sweep          bool
	Format         string
	Now            func() time.Time

	vendorsCache string // tests
}

func newActivityCmd(io *ioStreams, runF func(*activityOptions) error) *cobra.Command {
	opts := &activityOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "activity --events EVENTS (--principal ARN | --caller-account ID | --vendor NAME) [flags]",
		Short: "Show what a principal, an account or a vendor did",
		Long: `Show what a principal, a calling account or a vendor did between two times, for
a breach review, from the activity log 'tailor ingest --events' writes.

Sessions: each set of credentials in use (an assumed role's temporary key,
or a run of calls with an access key or a console sign-in, split by an hour
of silence) with when, from which account, address, user agent, session name
and source identity, and per action the calls, denials, errors and resources.
An sts:AssumeRole call is shown with the session it created.

First appearances: the first time the window shows an action, address,
region or user agent the principal's baseline did not hold. The baseline is
the log before --since; a principal with no activity before it (or when
--since is not given) is judged against its own first --baseline of
activity (default 24h).

--sweep adds a summary of the window's persistence moves (new users, keys,
login profiles, roles, trust and policy changes), exposure (sharing, opening
access), destructive calls (delete, terminate, stop, disable), data reads
(object gets, decrypts, secret reads) and execution. Without a selection it
covers every principal.`,
		Example: `  tailor activity --events events.parquet --vendor Datadog --since 2026-10-01
  tailor activity --events events.parquet --principal '*legacy-reporting' --format json
  tailor activity --events events.parquet --caller-account 165736516723 --sweep
  tailor activity --events events.parquet --sweep --since 7d --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Events == "" {
				return flagErrorf("activity needs --events EVENTS")
			}
			if len(opts.Principals)+len(opts.CallerAccounts)+len(opts.VendorNames) == 0 && !opts.Sweep {
				return flagErrorf("activity needs --principal, --caller-account or --vendor (or --sweep for every principal)")
			}
			switch opts.Format {
			case "table", "json", "csv":
			default:
				return flagErrorf("--format: want table, json or csv, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return runActivity(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Events, "events", "", "the activity log `FILE` tailor ingest --events wrote")
	f.StringSliceVar(&opts.Principals, "principal", nil, "principals whose ARN matches `GLOB` (also selects AssumeRole calls of a matching role)")
	f.StringSliceVar(&opts.CallerAccounts, "caller-account", nil, "calls from these `ACCOUNT`s")
	f.StringSliceVar(&opts.VendorNames, "vendor", nil, "calls from the accounts of the vendor `NAME` in the known-accounts list")
	f.StringVar(&opts.Vendors, "vendors", "", "the known-accounts list `FILE` (default: the cache 'tailor vendors update' fills)")
	f.StringVar(&opts.Since, "since", "", "the window starts at `TIME` (RFC 3339, 2006-01-02, or an age like 7d); earlier events are the baseline")
	f.StringVar(&opts.Until, "until", "", "the window ends before `TIME`")
	f.DurationVar(&opts.Baseline, "baseline", 24*time.Hour, "without earlier events, a principal's first `DURATION` of activity is its baseline")
	f.BoolVar(&opts.Sweep, "sweep", false, "add the sweep: persistence, exposure, destructive calls, data reads, execution")
	f.StringVar(&opts.Format, "format", "table", "output `format`: table, json or csv")
	return cmd
}

func runActivity(ctx context.Context, opts *activityOptions) error {
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	sel := review.Selection{Principals: splitList(opts.Principals)}
	for _, a := range splitList(opts.CallerAccounts) {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return flagErrorf("--caller-account: %q is not a 12-digit account id", a)
		}
		sel.CallerAccounts = append(sel.CallerAccounts, a)
	}
	if err := checkInputs(arg("--vendors", opts.Vendors, tailor.KindVendors)); err != nil {
		return err
	}
	vendors, err := loadVendors(opts.io, opts.Vendors, opts.vendorsCache)
	if err != nil {
		return err
	}
	var labels []string
	if len(sel.Principals) > 0 {
		labels = append(labels, "principal "+strings.Join(sel.Principals, ", "))
	}
	if len(sel.CallerAccounts) > 0 {
		labels = append(labels, "caller account "+strings.Join(sel.CallerAccounts, ", "))
	}
	for _, name := range splitList(opts.VendorNames) {
		if vendors == nil {
			return flagErrorf("--vendor needs a known-accounts list: run 'tailor vendors update' or pass --vendors FILE")
		}
		matches := vendors.Find(name)
		if len(matches) == 0 {
			return flagErrorf("--vendor %q: no vendor of %s has that name", name, vendors.Source())
		}
		names := map[string]bool{}
		for _, m := range matches {
			names[m.Name] = true
		}
		if len(names) > 1 {
			var ns []string
			for n := range names {
				ns = append(ns, n)
			}
			slices.Sort(ns)
			return flagErrorf("--vendor %q matches several vendors: %s", name, strings.Join(ns, ", "))
		}
		accts := review.Accounts(matches)
		sel.CallerAccounts = append(sel.CallerAccounts, accts...)
		labels = append(labels, fmt.Sprintf("vendor %s (%s)", matches[0].Name, strings.Join(accts, ", ")))
	}
	sel.Label = strings.Join(labels, "; ")
	if err := checkInputs(arg("--events", opts.Events, tailor.KindActivityLog)); err != nil {
		return err
	}
	if _, err := os.Stat(opts.Events); err != nil {
		return fmt.Errorf("read activity log: %w", err)
	}
	events := func(fn func(*usage.Activity) error) error { return usage.ScanActivity(opts.Events, fn) }
	tl, err := review.BuildTimeline(ctx, events, sel, review.TimelineOptions{Since: since, Until: until, Baseline: opts.Baseline})
	if err != nil {
		return err
	}
	selected := len(sel.Principals)+len(sel.CallerAccounts) > 0
	switch opts.Format {
	case "json":
		return report.WriteTimelineJSON(opts.io.Out, tl, "tailor "+version)
	case "csv":
		return report.WriteTimelineCSV(opts.io.Out, tl, opts.Sweep)
	}
	return report.WriteTimelineText(opts.io.Out, tl, report.TimelineTextOptions{
		TextOptions: report.TextOptions{Width: reviewTextWidth(opts.io)},
		Sessions:    selected,
		Sweep:       opts.Sweep,
		Vendors:     vendors,
	})
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/usage"
)

func newUsageCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use: "usage",
		Example: `  tailor usage show usage.parquet --principal '*DatadogIntegrationRole'
  tailor usage merge -o usage.parquet shard-*.parquet`,
		Short: "Show and merge usage indexes",
		Long:  "Show the rows of a usage index, and merge indexes of separate runs or shards.",
	}
	cmd.AddCommand(newUsageShowCmd(io, nil), newUsageMergeCmd(io, nil))
	return cmd
}

type usageShowOptions struct {
	io         *ioStreams
	Index      string
	Principals []string
	Callers    []string
	Since      string
	Until      string
	Format     string
	Kind       string
	Now        func() time.Time
}

func newUsageShowCmd(io *ioStreams, runF func(*usageShowOptions) error) *cobra.Command {
	opts := &usageShowOptions{io: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "show INDEX",
		Short: "Print the rows of a usage index",
		Example: `  tailor usage show usage.parquet --principal '*DatadogIntegrationRole'
  tailor usage show usage.parquet --since 30d --format csv > usage.csv
  tailor usage show usage.parquet --kind coverage`,
		Args: exactArgs(1, "usage show needs one INDEX"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Index = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runUsageShow(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Principals, "principal", nil, "only principals whose ARN matches `GLOB`")
	f.StringSliceVar(&opts.Callers, "caller-account", nil, "only calls from these caller `ACCOUNT`s")
	f.StringVar(&opts.Since, "since", "", "only days at or after `TIME`")
	f.StringVar(&opts.Until, "until", "", "only days before `TIME`")
	f.StringVar(&opts.Format, "format", "table", "output format: table, json or csv")
	f.StringVar(&opts.Kind, "kind", "call", "rows to show: call, coverage, session, pending, source or all")
	return cmd
}

// exactArgs is cobra.ExactArgs with a usage error of our own.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return flagErrorf("%s", msg)
		}
		return nil
	}
}

// usageRow is a row as JSON and CSV show it.
type usageRow struct {
	Kind          string `json:"kind"`
	Day           string `json:"day"`
	Account       string `json:"account"`
	Principal     string `json:"principal"`
	PrincipalType string `json:"principal_type,omitempty"`
	CallerAccount string `json:"caller_account,omitempty"`
	EventSource   string `json:"event_source"`
	EventName     string `json:"event_name"`
	Resource      string `json:"resource,omitempty"`
	Region        string `json:"region"`
	RequestParams string `json:"request_params,omitempty"`
	Session       string `json:"session,omitempty"`
	Calls         int64  `json:"calls"`
	Denied        int64  `json:"denied"`
	Errors        int64  `json:"errors"`
	FirstSeen     string `json:"first_seen"`
	LastSeen      string `json:"last_seen"`
	DataEvent     bool   `json:"data_event,omitempty"`
	Folded        int64  `json:"folded,omitempty"`
}

func runUsageShow(ctx context.Context, opts *usageShowOptions) error {
	since, until, err := parseWindow(opts.Since, opts.Until, opts.Now())
	if err != nil {
		return err
	}
	q := usage.Query{Principals: splitList(opts.Principals), CallerAccounts: splitList(opts.Callers), Since: since, Until: until}
	switch opts.Kind {
	case "call", "coverage", "session", "pending", "source":
		q.Kinds = []usage.Kind{usage.Kind(opts.Kind)}
	case "all":
		q.Kinds = []usage.Kind{usage.KindCall, usage.KindCoverage, usage.KindSession, usage.KindPending, usage.KindSource}
	default:
		return flagErrorf("--kind: want call, coverage, session, pending, source or all, not %q", opts.Kind)
	}
	if opts.Format != "table" && opts.Format != "json" && opts.Format != "csv" {
		return flagErrorf("--format: want table, json or csv, not %q", opts.Format)
	}
	if err := checkInputs(arg("INDEX", opts.Index, tailor.KindUsageIndex, tailor.KindCheckpoint)); err != nil {
		return err
	}
	ix, err := usage.ReadFile(opts.Index)
	if err != nil {
		return err
	}
	rows := ix.Select(q)
	out := make([]usageRow, len(rows))
	for i, r := range rows {
		out[i] = usageRow{
			Kind: string(r.Kind), Day: r.Day.Format("2006-01-02"), Account: r.Account, Principal: r.Principal,
			PrincipalType: r.PrincipalType, CallerAccount: r.CallerAccount, EventSource: r.EventSource,
			EventName: r.EventName, Resource: r.Resource, Region: r.Region, RequestParams: r.RequestParams,
			Session: r.Session, Calls: r.Calls, Denied: r.Denied, Errors: r.Errors,
			FirstSeen: r.FirstSeen.Format(time.RFC3339), LastSeen: r.LastSeen.Format(time.RFC3339),
			DataEvent: r.Data, Folded: r.Folded,
		}
	}
	switch opts.Format {
	case "json":
		enc := json.NewEncoder(opts.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		return writeUsageCSV(opts.io.Out, out)
	}
	return writeUsageTable(opts.io, out)
}

func writeUsageCSV(w io.Writer, rows []usageRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "day", "account", "principal", "principal_type", "caller_account", "event_source", "event_name", "resource", "region", "request_params", "session", "calls", "denied", "errors", "first_seen", "last_seen", "data_event", "folded"})
	for _, r := range rows {
		cw.Write([]string{r.Kind, r.Day, r.Account, r.Principal, r.PrincipalType, r.CallerAccount, r.EventSource, r.EventName, r.Resource, r.Region, r.RequestParams, r.Session,
			strconv.FormatInt(r.Calls, 10), strconv.FormatInt(r.Denied, 10), strconv.FormatInt(r.Errors, 10), r.FirstSeen, r.LastSeen, strconv.FormatBool(r.DataEvent), strconv.FormatInt(r.Folded, 10)})
	}
	cw.Flush()
	return cw.Error()
}

func writeUsageTable(io *ioStreams, rows []usageRow) error {
	if len(rows) == 0 {
		fmt.Fprintln(io.ErrOut, "no rows match")
		return nil
	}
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tPRINCIPAL\tCALLER\tEVENT\tRESOURCE\tREGION\tCALLS\tDENIED\tERRORS\tLAST SEEN")
	for _, r := range rows {
		res := r.Resource
		if r.Folded > 0 {
			res += fmt.Sprintf(" (%d)", r.Folded)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s:%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.Day, r.Principal, dash(r.CallerAccount),
			servicePrefix(r.EventSource), r.EventName, dash(res), r.Region, r.Calls, r.Denied, r.Errors, r.LastSeen)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func servicePrefix(source string) string {
	for i := 0; i < len(source); i++ {
		if source[i] == '.' {
			return source[:i]
		}
	}
	return source
}

type usageMergeOptions struct {
	io      *ioStreams
	Inputs  []string
	Output  string
	Partial bool
}

func newUsageMergeCmd(io *ioStreams, runF func(*usageMergeOptions) error) *cobra.Command {
	opts := &usageMergeOptions{io: io}
	cmd := &cobra.Command{
		Use:   "merge -o OUT INDEX...",
		Short: "Merge usage indexes into one",
		Long: `Merge usage indexes, for example the shards of one run or the runs of
separate days, into one index. The merge of the indexes of disjoint inputs
equals the index of the union of the inputs: calls made with a role session
whose AssumeRole call is in another shard are attributed here, and an event
two shards both read (overlapping trails, around midnight) counts once.

Indexes built from the same log objects over overlapping windows (an index
and itself, a shard and the whole index) are refused: their merge would
count those records twice, and an index cannot tell which calls they were.`,
		Example: `  tailor usage merge -o usage.parquet shard-*.parquet`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("usage merge needs at least one INDEX")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if opts.Output == "" {
				return flagErrorf("usage merge needs -o OUT")
			}
			if runF != nil {
				return runF(opts)
			}
			return runUsageMerge(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the merged index to `FILE`")
	cmd.Flags().BoolVar(&opts.Partial, "partial", false, "keep rows not yet attributed to a caller account, for a later merge")
	return cmd
}

func runUsageMerge(ctx context.Context, opts *usageMergeOptions) error {
	var args []input
	for _, p := range opts.Inputs {
		args = append(args, arg("INDEX", p, tailor.KindUsageIndex, tailor.KindCheckpoint))
	}
	if err := checkInputs(args...); err != nil {
		return err
	}
	if err := checkOutputs(arg("-o", opts.Output, tailor.KindUsageIndex)); err != nil {
		return err
	}
	var idx []*usage.Index
	for _, p := range opts.Inputs {
		ix, err := usage.ReadFile(p)
		if err != nil {
			return err
		}
		idx = append(idx, ix)
	}
	if err := usage.CheckDisjoint(opts.Inputs, idx...); err != nil {
		return err
	}
	m, err := usage.Merge(opts.Partial, idx...)
	if err != nil {
		return err
	}
	if !opts.Partial {
		m.PruneEdges(ingest.MaxDeliveryLag)
	}
	m.Meta.Tool = "tailor " + version
	m.Meta.Created = time.Now().UTC()
	if err := m.WriteFile(opts.Output); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.ErrOut, "merged %d indexes: %d rows → %s\n", len(idx), m.Len(), opts.Output)
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor/catalog"
)

// catalogOptions holds what every catalog verb shares.
type catalogOptions struct {
	IO  *ioStreams
	Dir string // --catalog
}

// load returns the catalog the options choose.
func (o *catalogOptions) load() (*catalog.Catalog, error) {
	return catalog.Load(catalog.Options{Dir: o.Dir})
}

func newCatalogCmd(io *ioStreams) *cobra.Command {
	opts := &catalogOptions{IO: io}
	cmd := &cobra.Command{
		Use: "catalog",
		Example: `  tailor catalog info
  tailor catalog map s3.amazonaws.com CopyObject
  tailor catalog expand 's3:Get*'`,
		Short: "The IAM action catalog: info, update, map events to actions, expand wildcards",
		Long: `The IAM action catalog lists every AWS service, action, access level, resource
type and condition key. tailor ships a snapshot of the AWS Service Authorization
Reference; 'tailor catalog update' fetches AWS's current service reference into
the user cache, which later runs prefer; --catalog DIR reads a local copy of
that format instead.`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&opts.Dir, "catalog", "", "read the service reference files in `DIR` instead of the cache or the embedded snapshot")
	cmd.AddCommand(
		newCatalogInfoCmd(opts),
		newCatalogUpdateCmd(opts),
		newCatalogMapCmd(opts),
		newCatalogExpandCmd(opts),
	)
	return cmd
}

// info

type catalogInfoOptions struct {
	*catalogOptions
	Format string
	Action string // optional: describe this action
}

func newCatalogInfoCmd(parent *catalogOptions) *cobra.Command {
	opts := &catalogInfoOptions{catalogOptions: parent}
	cmd := &cobra.Command{
		Use:   "info [ACTION]",
		Short: "Print the catalog's source, date and counts, or what it knows of one action",
		Long: `info prints the catalog's source, date, service and action counts, and how many
actions fall in each observability class. With an ACTION it prints that action:
its access level, resource types, whether and how CloudTrail shows a call that
needs it (management event, data event, never logged, permission-only, unknown)
and why, and the API operations that need it.`,
		Example: `  tailor catalog info
  tailor catalog info ssmmessages:OpenDataChannel
  tailor catalog info s3:GetObject --format json
  tailor catalog info --catalog ./service-reference --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return flagErrorf("info takes at most one ACTION, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := catalogCheckFormat(opts.Format); err != nil {
				return err
			}
			if len(args) == 1 {
				opts.Action = args[0]
				return runCatalogAction(cmd.Context(), opts)
			}
			return runCatalogInfo(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `format`: text or json")
	return cmd
}

type catalogInfo struct {
	Source         string         `json:"source"`
	Date           time.Time      `json:"date"`
	Services       int            `json:"services"`
	Actions        int            `json:"actions"`
	Operations     bool           `json:"operations"`
	PermissionOnly int            `json:"permissionOnly"`
	Observability  map[string]int `json:"observability"`
}

func runCatalogInfo(_ context.Context, opts *catalogInfoOptions) error {
	c, err := opts.load()
	if err != nil {
		return err
	}
	info := catalogInfo{Source: c.Source(), Date: c.Date(), Services: len(c.Services()), Actions: c.Len(), Operations: c.HasOperations(),
		Observability: map[string]int{}}
	for _, a := range c.Expand("*") {
		act, _ := c.Action(a)
		info.Observability[act.Observability.String()]++
		if act.Observability == catalog.PermissionOnly {
			info.PermissionOnly++
		}
	}
	if opts.Format == "json" {
		return catalogWriteJSON(opts.IO, info)
	}
	ops := "no (mapping uses exact names and the exception table)"
	if info.Operations {
		ops = "yes (official Operations[].AuthorizedActions)"
	}
	fmt.Fprintf(opts.IO.Out, "source:          %s\n", info.Source)
	fmt.Fprintf(opts.IO.Out, "date:            %s\n", info.Date.Format(time.DateOnly))
	fmt.Fprintf(opts.IO.Out, "services:        %d\n", info.Services)
	fmt.Fprintf(opts.IO.Out, "actions:         %d\n", info.Actions)
	fmt.Fprintf(opts.IO.Out, "permission-only: %d\n", info.PermissionOnly)
	fmt.Fprintf(opts.IO.Out, "operations data: %s\n", ops)
	fmt.Fprintf(opts.IO.Out, "observability:  ")
	for _, o := range []catalog.Observability{catalog.ManagementEvent, catalog.DataEvent, catalog.NeverLogged, catalog.PermissionOnly, catalog.UnknownObservability} {
		fmt.Fprintf(opts.IO.Out, " %s %d", o, info.Observability[o.String()])
	}
	fmt.Fprintln(opts.IO.Out)
	return nil
}

type catalogActionUse struct {
	Operation   string `json:"operation"` // "prefix:Operation"
	Conditional bool   `json:"conditional,omitempty"`
}

type catalogAction struct {
	Action        string             `json:"action"`
	Level         string             `json:"accessLevel"`
	Resources     []string           `json:"resourceTypes"`
	Observability string             `json:"observability"`
	Why           string             `json:"why"`
	EventSource   string             `json:"dataEventSource,omitempty"`
	ResourceType  string             `json:"dataEventResourceType,omitempty"`
	UsedBy        []catalogActionUse `json:"operations"`
}

func runCatalogAction(_ context.Context, opts *catalogInfoOptions) error {
	c, err := opts.load()
	if err != nil {
		return err
	}
	a, ok := c.Action(opts.Action)
	if !ok {
		return fmt.Errorf("catalog %s has no action %s", c.Source(), opts.Action)
	}
	out := catalogAction{Action: a.FullName(), Level: a.Level.String(), Resources: []string{}, Observability: a.Observability.String(),
		Why: a.ObservabilityWhy, EventSource: a.DataEvent.EventSource, ResourceType: a.DataEvent.ResourceType, UsedBy: []catalogActionUse{}}
	for _, r := range a.Resources {
		name := r.Name
		if r.Required {
			name += " (required)"
		}
		out.Resources = append(out.Resources, name)
	}
	for _, u := range c.Uses(a.FullName()) {
		out.UsedBy = append(out.UsedBy, catalogActionUse{Operation: u.Service + ":" + u.Operation, Conditional: u.Conditional})
	}
	if opts.Format == "json" {
		return catalogWriteJSON(opts.IO, out)
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "action:         %s\n", out.Action)
	fmt.Fprintf(w, "access level:   %s\n", out.Level)
	res := strings.Join(out.Resources, ", ")
	if res == "" {
		res = "* only"
	}
	fmt.Fprintf(w, "resource types: %s\n", res)
	fmt.Fprintf(w, "observability:  %s\n", out.Observability)
	if out.EventSource != "" {
		fmt.Fprintf(w, "data event:     %s of %s\n", out.ResourceType, out.EventSource)
	}
	fmt.Fprintf(w, "why:            %s\n", out.Why)
	if len(out.UsedBy) == 0 {
		fmt.Fprintf(w, "operations:     none known\n")
	}
	for i, u := range out.UsedBy {
		label := "operations:    "
		if i > 0 {
			label = "               "
		}
		if u.Conditional {
			fmt.Fprintf(w, "%s %s (some calls)\n", label, u.Operation)
		} else {
			fmt.Fprintf(w, "%s %s\n", label, u.Operation)
		}
	}
	return nil
}

// update

type catalogUpdateOptions struct {
	*catalogOptions
	URL         string
	Concurrency int
	Timeout     time.Duration
}

func newCatalogUpdateCmd(parent *catalogOptions) *cobra.Command {
	opts := &catalogUpdateOptions{catalogOptions: parent}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download AWS's service reference into the user cache",
		Long: `update downloads the index of AWS's service reference information and every
service file it lists into the user cache (tailor/catalog under the user cache
directory). The new catalog replaces the old one only when every file arrived
and loads; on any error the old cache is left as it was. Later runs use the
cache instead of the embedded snapshot.`,
		Example: `  tailor catalog update
  tailor catalog update --concurrency 4 --timeout 1m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Dir != "" {
				return flagErrorf("--catalog names a directory to read; update fills the cache")
			}
			if opts.Concurrency < 1 {
				return flagErrorf("--concurrency must be at least 1")
			}
			return runCatalogUpdate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.URL, "url", catalog.DefaultURL, "`URL` of the service reference index")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 8, "downloads at a time")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 30*time.Second, "timeout of each request")
	return cmd
}

func runCatalogUpdate(ctx context.Context, opts *catalogUpdateOptions) error {
	uo := catalog.UpdateOptions{URL: opts.URL, Concurrency: opts.Concurrency, Timeout: opts.Timeout}
	if opts.IO.stderrTTY {
		uo.Progress = func(done, total int) {
			fmt.Fprintf(opts.IO.ErrOut, "\rfetching service reference: %d/%d", done, total)
			if done == total {
				fmt.Fprintln(opts.IO.ErrOut)
			}
		}
	}
	c, err := catalog.Update(ctx, uo)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "updated %s: %d services, %d actions\n", c.Source(), len(c.Services()), c.Len())
	return nil
}

// map

type catalogMapOptions struct {
	*catalogOptions
	EventSource string
	EventName   string
	Params      []string
	Format      string
}

func newCatalogMapCmd(parent *catalogOptions) *cobra.Command {
	opts := &catalogMapOptions{catalogOptions: parent}
	cmd := &cobra.Command{
		Use:   "map EVENT_SOURCE EVENT_NAME",
		Short: "Print the IAM actions a CloudTrail event needed",
		Long: `map prints the IAM actions a CloudTrail event (event source and event name)
needed, one per line. Actions needed only in some cases follow, marked with the
reason; --param names request parameters present in the record, which turn such
actions into needed ones. An event no IAM action is known for is unmapped and
exits with status 3; an event that needs no permission prints nothing.`,
		Example: `  tailor catalog map s3.amazonaws.com GetObject
  tailor catalog map s3.amazonaws.com GetObject --param versionId
  tailor catalog map sts.amazonaws.com AssumeRole --param tags --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return flagErrorf("map takes EVENT_SOURCE and EVENT_NAME, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := catalogCheckFormat(opts.Format); err != nil {
				return err
			}
			opts.EventSource, opts.EventName = args[0], args[1]
			return runCatalogMap(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Params, "param", nil, "a request parameter present in the record (repeatable)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `format`: text or json")
	return cmd
}

type mapNeedJSON struct {
	Action   string   `json:"action"`
	Reason   string   `json:"reason,omitempty"`
	Params   []string `json:"params,omitempty"`
	Replaces string   `json:"replaces,omitempty"`
}

type mapJSON struct {
	EventSource string        `json:"eventSource"`
	EventName   string        `json:"eventName"`
	Prefix      string        `json:"prefix"`
	Operation   string        `json:"operation"`
	MappedBy    string        `json:"mappedBy"`
	Needed      []mapNeedJSON `json:"needed"`
	Possible    []mapNeedJSON `json:"possible"`
	Note        string        `json:"note,omitempty"`
}

func runCatalogMap(_ context.Context, opts *catalogMapOptions) error {
	c, err := opts.load()
	if err != nil {
		return err
	}
	m := c.Map(opts.EventSource, opts.EventName, opts.Params)
	if opts.Format == "json" {
		out := mapJSON{EventSource: m.EventSource, EventName: m.EventName, Prefix: m.Prefix, Operation: m.Operation,
			MappedBy: m.By.String(), Needed: []mapNeedJSON{}, Possible: []mapNeedJSON{}, Note: m.Note}
		for _, n := range m.Needed {
			out.Needed = append(out.Needed, mapNeedJSON(n))
		}
		for _, n := range m.Possible {
			out.Possible = append(out.Possible, mapNeedJSON(n))
		}
		if err := catalogWriteJSON(opts.IO, out); err != nil {
			return err
		}
	} else {
		for _, n := range m.Needed {
			if n.Reason == "" {
				fmt.Fprintln(opts.IO.Out, n.Action)
			} else {
				fmt.Fprintf(opts.IO.Out, "%s  (needed: %s; %s present)\n", n.Action, n.Reason, n.Params[0])
			}
		}
		for _, n := range m.Possible {
			fmt.Fprintf(opts.IO.Out, "%s  (possibly: %s)\n", n.Action, n.Reason)
		}
		switch {
		case m.By == catalog.NoPermission:
			fmt.Fprintf(opts.IO.ErrOut, "%s %s needs no IAM permission: %s\n", m.EventSource, m.EventName, m.Note)
		case m.Mapped() && opts.IO.stderrTTY:
			fmt.Fprintf(opts.IO.ErrOut, "mapped by %s (catalog: %s)\n", m.By, c.Source())
		}
	}
	if !m.Mapped() {
		return &codeError{code: exitUnmapped, msg: fmt.Sprintf("%s %s is unmapped: no IAM action is known for it", opts.EventSource, opts.EventName)}
	}
	return nil
}

// expand

type catalogExpandOptions struct {
	*catalogOptions
	Patterns []string
}

func newCatalogExpandCmd(parent *catalogOptions) *cobra.Command {
	opts := &catalogExpandOptions{catalogOptions: parent}
	cmd := &cobra.Command{
		Use:   "expand PATTERN...",
		Short: "Print the IAM actions wildcard patterns cover",
		Long: `expand prints the IAM actions the patterns cover, one per line, sorted and
without repeats. Patterns use * and ? and match without regard to case, as IAM
does. A pattern that covers no action is an error.`,
		Example: `  tailor catalog expand 's3:Get*'
  tailor catalog expand 'iam:*Policy*' 'sts:AssumeRole*'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("expand takes at least one PATTERN")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Patterns = args
			return runCatalogExpand(cmd.Context(), opts)
		},
	}
	return cmd
}

func runCatalogExpand(_ context.Context, opts *catalogExpandOptions) error {
	c, err := opts.load()
	if err != nil {
		return err
	}
	var all, empty []string
	for _, p := range opts.Patterns {
		got := c.Expand(p)
		if len(got) == 0 {
			empty = append(empty, p)
		}
		all = append(all, got...)
	}
	slices.Sort(all)
	for _, a := range slices.Compact(all) {
		fmt.Fprintln(opts.IO.Out, a)
	}
	if len(empty) > 0 {
		return fmt.Errorf("no action matches %s", strings.Join(empty, ", "))
	}
	return nil
}

func catalogCheckFormat(f string) error {
	if f != "text" && f != "json" {
		return flagErrorf("--format must be text or json, not %q", f)
	}
	return nil
}

func catalogWriteJSON(io *ioStreams, v any) error {
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

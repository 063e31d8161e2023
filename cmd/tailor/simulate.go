package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
)

// The catalog the command checks actions against is the one policy uses.
var _ policy.Catalog = (*catalog.Catalog)(nil)

// simulateOptions holds the flags of 'tailor simulate'.
type simulateOptions struct {
	IO *ioStreams

	Policies        []string // --policy, identity policies
	Boundary        string   // --boundary
	SCPs            []string // --scp, one level each, comma-separated files within a level
	Action          string
	Resource        string
	Context         []string // --context key=value
	ContextComplete bool
	Principal       string
	Time            string
	Format          string
	CatalogDir      string
}

func newSimulateCmd(io *ioStreams) *cobra.Command {
	return newSimulateCmdWith(io, nil)
}

// newSimulateCmdWith builds the command; runF, when not nil, replaces the
// work so that tests can check flag parsing.
func newSimulateCmdWith(io *ioStreams, runF func(*simulateOptions) error) *cobra.Command {
	opts := &simulateOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "simulate --policy FILE... --action ACTION [--resource ARN] [flags]",
		Short: "Decide one request against policy files, offline",
		Long: `simulate decides whether the given policies allow one request, like an offline
'aws iam simulate-custom-policy'. The identity policies (--policy) must allow
the request; a permissions boundary (--boundary) and service control policies
(--scp, one flag per level of the organization from the root down; several
policies of one level separated by commas) must allow it too; an explicit Deny
in any of them wins; sts:GetCallerIdentity, which needs no permission, is
always allowed. --policy and --boundary files must be identity-based
policies: a statement without Resource or NotResource, a Principal, a
Resource that is neither "*" nor an ARN, or a Sid given twice is an error,
as IAM would refuse the policy.

It prints 'allowed', 'denied' (explicit or implicit, and which statement or
which layer decided) or 'unknown' when the outcome depends on condition keys
the request context lacks; it then lists them. Give context keys with
--context KEY=VALUE, once per value (repeat a key for a multivalued one).
With --context-complete, keys not given are absent, as AWS would evaluate a
real request without them. A policy variable without a value (no such key,
or a key with several values) makes only the Resource entry or condition
value that holds it match nothing, as IAM does; so a NotResource entry
excludes nothing and StringNotEquals holds against it. Policy files may hold a JSON document or the
URL-encoded form IAM APIs return. Unknown actions are warned about on stderr.`,
		Example: `  tailor simulate --policy role-policy.json --action s3:GetObject \
      --resource arn:aws:s3:::bucket/key --context aws:SecureTransport=true
  tailor simulate --policy inline.json --policy managed.json --boundary boundary.json \
      --scp root.json --scp ou-a.json,ou-b.json --action iam:CreateUser \
      --resource arn:aws:iam::111122223333:user/bob --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(opts.Policies) == 0 {
				return flagErrorf("simulate: give at least one --policy")
			}
			if opts.Action == "" {
				return flagErrorf("simulate: --action is required")
			}
			if opts.Format != "text" && opts.Format != "json" {
				return flagErrorf("simulate: --format must be text or json, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return runSimulate(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Policies, "policy", nil, "identity policy `FILE`; repeat for several")
	f.StringVar(&opts.Boundary, "boundary", "", "permissions boundary policy `FILE`")
	f.StringArrayVar(&opts.SCPs, "scp", nil, "service control policy `FILES` of one organization level (comma-separated); repeat per level")
	f.StringVar(&opts.Action, "action", "", "IAM `action`, such as s3:GetObject")
	f.StringVar(&opts.Resource, "resource", "*", "resource `ARN`, or * for actions without a resource")
	f.StringArrayVar(&opts.Context, "context", nil, "request context `KEY=VALUE`; repeat a key for several values")
	f.BoolVar(&opts.ContextComplete, "context-complete", false, "treat context keys not given as absent instead of unknown")
	f.StringVar(&opts.Principal, "principal", "", "`ARN` of the calling principal (fills aws:PrincipalArn and aws:PrincipalAccount)")
	f.StringVar(&opts.Time, "time", "", "request `time` (RFC 3339) for aws:CurrentTime and aws:EpochTime")
	f.StringVar(&opts.Format, "format", "text", "output `format`: text or json")
	f.StringVar(&opts.CatalogDir, "catalog", "", "check actions against the service reference files in `DIR`")
	return cmd
}

// simulateResult is the JSON output of 'tailor simulate'.
type simulateResult struct {
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Decision  string         `json:"decision"` // allowed, explicitDeny, implicitDeny, unknown
	Statement *statementJSON `json:"statement,omitempty"`
	// Refused names, for implicitDeny, the layer that allows nothing here.
	Refused      string          `json:"refused,omitempty"`
	RefusedLevel *int            `json:"refusedLevel,omitempty"`
	Missing      []string        `json:"missingContextKeys,omitempty"`
	Undecided    []statementJSON `json:"undecided,omitempty"`
	// NoPermissionNeeded is true for an action no policy can deny
	// (sts:GetCallerIdentity).
	NoPermissionNeeded bool `json:"noPermissionNeeded,omitempty"`
}

type statementJSON struct {
	Layer  string `json:"layer"`
	Level  *int   `json:"level,omitempty"`
	Policy string `json:"policy"`
	Index  int    `json:"index"`
	Sid    string `json:"sid,omitempty"`
}

func toStatementJSON(r policy.StatementRef) statementJSON {
	s := statementJSON{Layer: r.Layer.String(), Policy: r.Policy, Index: r.Index, Sid: r.Sid}
	if r.Layer == policy.LayerSCP {
		lvl := r.Level
		s.Level = &lvl
	}
	return s
}

func runSimulate(_ context.Context, opts *simulateOptions) error {
	files := []input{arg("--boundary", opts.Boundary, tailor.KindPolicy)}
	for _, f := range opts.Policies {
		files = append(files, arg("--policy", f, tailor.KindPolicy))
	}
	for _, lvl := range opts.SCPs {
		for _, f := range strings.Split(lvl, ",") {
			files = append(files, arg("--scp", strings.TrimSpace(f), tailor.KindPolicy))
		}
	}
	if err := checkInputs(files...); err != nil {
		return err
	}
	var set policy.PolicySet
	var all []*policy.Policy
	for _, f := range opts.Policies {
		p, err := readPolicyFile(f, policy.KindIdentity)
		if err != nil {
			return err
		}
		set.Identity = append(set.Identity, p)
		all = append(all, p)
	}
	if opts.Boundary != "" {
		p, err := readPolicyFile(opts.Boundary, policy.KindIdentity)
		if err != nil {
			return err
		}
		set.Boundary = p
		all = append(all, p)
	}
	for _, lvl := range opts.SCPs {
		var ps []*policy.Policy
		for _, f := range strings.Split(lvl, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			p, err := readPolicyFile(f, policy.KindAny)
			if err != nil {
				return err
			}
			ps = append(ps, p)
			all = append(all, p)
		}
		set.SCPs = append(set.SCPs, ps)
	}

	req := policy.Request{
		Action:          opts.Action,
		Resource:        opts.Resource,
		Caller:          policy.Caller{ARN: opts.Principal},
		ContextComplete: opts.ContextComplete,
	}
	for _, kv := range opts.Context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return flagErrorf("simulate: --context %q: want KEY=VALUE", kv)
		}
		if req.Context == nil {
			req.Context = map[string][]string{}
		}
		req.Context[k] = append(req.Context[k], v)
	}
	if opts.Time != "" {
		t, err := time.Parse(time.RFC3339, opts.Time)
		if err != nil {
			return flagErrorf("simulate: --time %q: want RFC 3339, such as 2024-05-01T12:00:00Z", opts.Time)
		}
		req.Time = t
	}

	warnUnknownActions(opts, all)
	d := policy.Evaluate(req, set)
	res := simulateResult{Action: opts.Action, Resource: req.Resource, Missing: d.Missing, NoPermissionNeeded: d.Exempt}
	switch d.Outcome {
	case policy.Allowed:
		res.Decision = "allowed"
	case policy.ExplicitDeny:
		res.Decision = "explicitDeny"
	case policy.ImplicitDeny:
		res.Decision = "implicitDeny"
		res.Refused = d.Refused.String()
		if d.Refused == policy.LayerSCP {
			lvl := d.RefusedLevel
			res.RefusedLevel = &lvl
		}
	default:
		res.Decision = "unknown"
	}
	if d.Statement.Layer != policy.LayerNone {
		s := toStatementJSON(d.Statement)
		res.Statement = &s
	}
	for _, u := range d.Undecided {
		res.Undecided = append(res.Undecided, toStatementJSON(u))
	}

	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	out := opts.IO.Out
	switch d.Outcome {
	case policy.Allowed:
		fmt.Fprintln(out, "allowed")
		if d.Exempt {
			fmt.Fprintf(out, "  no permission is needed: no policy can deny %s\n", opts.Action)
		} else {
			fmt.Fprintf(out, "  by: %s\n", d.Statement)
		}
	case policy.ExplicitDeny:
		fmt.Fprintln(out, "denied (explicit)")
		fmt.Fprintf(out, "  by: %s\n", d.Statement)
	case policy.ImplicitDeny:
		fmt.Fprintln(out, "denied (implicit)")
		switch d.Refused {
		case policy.LayerBoundary:
			fmt.Fprintln(out, "  the permissions boundary does not allow it")
		case policy.LayerSCP:
			fmt.Fprintf(out, "  no service control policy of level %d allows it\n", d.RefusedLevel)
		default:
			fmt.Fprintln(out, "  no identity policy statement allows it")
		}
	default:
		fmt.Fprintln(out, "unknown")
		fmt.Fprintf(out, "  missing context keys: %s\n", strings.Join(d.Missing, ", "))
		for _, u := range d.Undecided {
			fmt.Fprintf(out, "  undecided: %s\n", u)
		}
	}
	return nil
}

// readPolicyFile parses one policy file of the given kind; the policy is
// named after the file. Parse errors, and elements IAM refuses in a policy
// of that kind, carry the file name, line and column.
func readPolicyFile(name string, kind policy.Kind) (*policy.Policy, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := policy.ParseEncodedAs(data, kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p.Name = name
	return p, nil
}

// warnUnknownActions prints the catalog warnings about actions to ErrOut.
// A catalog that does not load only costs the warnings.
func warnUnknownActions(opts *simulateOptions, ps []*policy.Policy) {
	cat, err := catalog.Load(catalog.Options{Dir: opts.CatalogDir})
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "tailor: warning: actions not checked: %v\n", err)
		return
	}
	for _, p := range ps {
		for _, w := range p.Validate(cat) {
			if w.Element == "Action" || w.Element == "NotAction" {
				fmt.Fprintf(opts.IO.ErrOut, "tailor: warning: %s: %s\n", p.Name, w)
			}
		}
	}
}

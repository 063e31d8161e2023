package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/review"
)

// vendorsOptions holds the flags of `tailor vendors update|lookup`.
type vendorsOptions struct {
	io *ioStreams

	Verb     string // "update" or "lookup"
	URL      string
	Path     string // the cache file; "" means review.DefaultVendorsPath()
	Vendors  string // lookup: --vendors FILE
	Accounts []string
	Timeout  time.Duration

	client *http.Client // tests
}

// newVendorsCmd groups the commands that manage the known-accounts list.
func newVendorsCmd(io *ioStreams, runF func(*vendorsOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use: "vendors",
		Example: `  tailor vendors update
  tailor vendors lookup 464622532012`,
		Short: "Manage the list of known vendor accounts",
		Long: `tailor names the outside accounts it finds with a list of known AWS accounts in
the format of the community list github.com/fwdcloudsec/known_aws_accounts
(accounts.yaml). 'vendors update' downloads the current list into the user
cache, where 'review' and 'activity' find it; --vendors FILE reads a copy
instead.`,
	}
	cmd.AddCommand(newVendorsUpdateCmd(io, runF), newVendorsLookupCmd(io, runF))
	return cmd
}

func newVendorsUpdateCmd(io *ioStreams, runF func(*vendorsOptions) error) *cobra.Command {
	opts := &vendorsOptions{io: io, Verb: "update"}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the known-accounts list into the cache",
		Long: `Download the known-accounts list (by default accounts.yaml of
fwdcloudsec/known_aws_accounts on GitHub), check that it reads, and write it
to the user cache atomically: a failed download leaves the old list in place.`,
		Example: `  tailor vendors update
  tailor vendors update --url https://mirror.example/accounts.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runVendors(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.URL, "url", review.DefaultVendorsURL, "download the list from `URL`")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 30*time.Second, "give up after `DURATION`")
	return cmd
}

func newVendorsLookupCmd(io *ioStreams, runF func(*vendorsOptions) error) *cobra.Command {
	opts := &vendorsOptions{io: io, Verb: "lookup"}
	cmd := &cobra.Command{
		Use:     "lookup ACCOUNT...",
		Short:   "Name AWS accounts from the known-accounts list",
		Example: `  tailor vendors lookup 464622532012 061190967865`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return flagErrorf("vendors lookup needs at least one ACCOUNT")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Accounts = args
			if runF != nil {
				return runF(opts)
			}
			return runVendors(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Vendors, "vendors", "", "read the known-accounts list from `FILE` (default: the cache)")
	return cmd
}

func runVendors(ctx context.Context, opts *vendorsOptions) error {
	switch opts.Verb {
	case "update":
		v, err := review.UpdateVendors(ctx, review.VendorsUpdateOptions{URL: opts.URL, Path: opts.Path, Timeout: opts.Timeout, Client: opts.client})
		if err != nil {
			return err
		}
		accts := 0
		for _, e := range v.Entries() {
			accts += len(e.Accounts)
		}
		fmt.Fprintf(opts.io.ErrOut, "%d vendors, %d accounts → %s\n", v.Len(), accts, v.Source())
		return nil
	}
	if err := checkInputs(arg("--vendors", opts.Vendors, tailor.KindVendors)); err != nil {
		return err
	}
	v, err := loadVendors(opts.io, opts.Vendors, opts.Path)
	if err != nil {
		return err
	}
	if v == nil {
		return errors.New("no known-accounts list: run 'tailor vendors update' or pass --vendors FILE")
	}
	tw := tabwriter.NewWriter(opts.io.Out, 0, 0, 2, ' ', 0)
	for _, a := range opts.Accounts {
		name := "unknown"
		if e, ok := v.Lookup(a); ok {
			name = e.Name
			if e.AWS {
				name = "AWS " + e.Name
			}
			if e.Disabled {
				name += " (no longer used)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", a, name)
	}
	return tw.Flush()
}

// loadVendors reads the known-accounts list: the file given, else the
// cache file (cache, or review.DefaultVendorsPath() when empty) if it
// exists. It returns nil and no error when there is neither.
func loadVendors(io *ioStreams, file, cache string) (*review.Vendors, error) {
	if file != "" {
		return review.LoadVendors(file)
	}
	if cache == "" {
		p, err := review.DefaultVendorsPath()
		if err != nil {
			return nil, nil
		}
		cache = p
	}
	v, err := review.LoadVendors(cache)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w (run 'tailor vendors update' to replace it)", err)
	}
	return v, nil
}

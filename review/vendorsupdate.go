package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tailor-sec/tailor/internal/atomicfile"
)

// DefaultVendorsURL is where the public known-accounts list is published:
// accounts.yaml of github.com/fwdcloudsec/known_aws_accounts, main branch.
const DefaultVendorsURL = "https://raw.githubusercontent.com/fwdcloudsec/known_aws_accounts/main/accounts.yaml"

// ErrVendorsTooLarge means the downloaded list exceeded
// VendorsUpdateOptions.MaxSize.
var ErrVendorsTooLarge = errors.New("review: known-accounts list too large")

// DefaultVendorsPath returns the file UpdateVendors writes and a review
// reads when no list is given: tailor/vendors/accounts.yaml under
// os.UserCacheDir().
func DefaultVendorsPath() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find cache directory: %w", err)
	}
	return filepath.Join(d, "tailor", "vendors", "accounts.yaml"), nil
}

// VendorsUpdateOptions configure UpdateVendors. The zero value fetches
// DefaultVendorsURL into DefaultVendorsPath() with a 30-second timeout.
type VendorsUpdateOptions struct {
	URL  string // "" means DefaultVendorsURL
	Path string // "" means DefaultVendorsPath()
	// Client makes the request; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds the request, including reading the body; 0 means 30
	// seconds.
	Timeout time.Duration
	// MaxSize bounds the list; 0 means 8 MiB.
	MaxSize int64
}

// UpdateVendors downloads the known-accounts list, checks that it reads
// (see ReadVendors), and writes it to the cache file atomically: a reader
// sees the old list or the new one, never a part, and a download that fails
// or does not read leaves the old list in place. It returns the new list.
func UpdateVendors(ctx context.Context, opts VendorsUpdateOptions) (*Vendors, error) {
	if opts.URL == "" {
		opts.URL = DefaultVendorsURL
	}
	if opts.Path == "" {
		p, err := DefaultVendorsPath()
		if err != nil {
			return nil, err
		}
		opts.Path = p
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = 8 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch known accounts: %w", err)
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch known accounts: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch known accounts %s: %s", opts.URL, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch known accounts %s: %w", opts.URL, err)
	}
	if int64(len(data)) > opts.MaxSize {
		return nil, fmt.Errorf("fetch known accounts %s: %w (over %d bytes)", opts.URL, ErrVendorsTooLarge, opts.MaxSize)
	}
	v, err := ReadVendors(bytes.NewReader(data), opts.URL)
	if err != nil {
		return nil, err
	}
	if v.Len() == 0 {
		return nil, &VendorsError{Path: opts.URL, Msg: "the list has no entries"}
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
		return nil, fmt.Errorf("create cache directory: %w", err)
	}
	if err := atomicfile.Write(opts.Path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return nil, err
	}
	v.source = opts.Path
	return v, nil
}

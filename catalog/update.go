package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// DefaultURL is the index of AWS's service reference information.
const DefaultURL = "https://servicereference.us-east-1.amazonaws.com/"

// Errors of Update.
var (
	// ErrBadIndex: the index is not a list of services with URLs.
	ErrBadIndex = errors.New("catalog: bad service reference index")
	// ErrTooLarge: a file exceeded UpdateOptions.MaxFileSize.
	ErrTooLarge = errors.New("catalog: file too large")
)

// UpdateOptions configure Update. The zero value fetches DefaultURL into
// DefaultCacheDir() with 8 downloads at a time and a 30-second timeout per
// request.
type UpdateOptions struct {
	// URL is the index; "" means DefaultURL. The service files are fetched
	// from the URLs the index lists.
	URL string
	// CacheDir is the directory to fill; "" means DefaultCacheDir().
	CacheDir string
	// Client makes the requests; nil means http.DefaultClient. Timeout
	// applies either way.
	Client *http.Client
	// Concurrency is the number of downloads at a time; 0 means 8.
	Concurrency int
	// Timeout bounds each request, including reading its body; 0 means
	// 30 seconds.
	Timeout time.Duration
	// MaxFileSize bounds each file; 0 means 64 MiB.
	MaxFileSize int64
	// Retries is how often a request that failed for a network error or a
	// 5xx status is tried again; 0 means 2, negative means none.
	Retries int
	// Now returns the time stamped as the catalog date; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called after each service file, from any
	// goroutine but never concurrently.
	Progress func(done, total int)
}

var serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Update downloads the service reference index and every service file it
// lists into the cache directory, checks that they load, and returns the
// catalog. It is atomic: the files are written into a temporary directory
// beside the cache and renamed over it only when all are in and valid, so
// the cache is either the old catalog or the new one, never a mix. On
// error the old cache is left as it was.
func Update(ctx context.Context, opts UpdateOptions) (*Catalog, error) {
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	if opts.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		opts.CacheDir = d
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = 64 << 20
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = 2
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}

	indexBytes, err := fetch(ctx, &opts, opts.URL)
	if err != nil {
		return nil, fmt.Errorf("catalog: update: %w", err)
	}
	var index []indexEntry
	if err := json.Unmarshal(indexBytes, &index); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadIndex, opts.URL, err)
	}
	if len(index) == 0 {
		return nil, fmt.Errorf("%w: %s lists no services", ErrBadIndex, opts.URL)
	}
	base, _ := url.Parse(opts.URL)
	urls := make([]string, len(index))
	seen := make(map[string]bool)
	for i, e := range index {
		if !serviceName.MatchString(e.Service) || seen[e.Service] {
			return nil, fmt.Errorf("%w: service name %q", ErrBadIndex, e.Service)
		}
		seen[e.Service] = true
		u, err := base.Parse(e.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("%w: service %s: url %q", ErrBadIndex, e.Service, e.URL)
		}
		urls[i] = u.String()
	}

	parent := filepath.Dir(opts.CacheDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("catalog: update: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(opts.CacheDir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("catalog: update: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()

	if err := download(ctx, &opts, tmp, index, urls); err != nil {
		return nil, fmt.Errorf("catalog: update: %w", err)
	}
	st, err := json.Marshal(stamp{Fetched: opts.Now().UTC(), URL: opts.URL})
	if err != nil {
		return nil, err
	}
	for name, b := range map[string][]byte{IndexFile: indexBytes, StampFile: st} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return nil, fmt.Errorf("catalog: update: %w", err)
		}
	}
	c, err := LoadServiceReference(tmp)
	if err != nil {
		return nil, fmt.Errorf("catalog: update: check downloaded catalog: %w", err)
	}
	if err := swap(tmp, opts.CacheDir); err != nil {
		return nil, fmt.Errorf("catalog: update: %w", err)
	}
	done = true
	c.source = opts.CacheDir
	return c, nil
}

// download fetches every service file into dir/<service>/<service>.json,
// opts.Concurrency at a time. The first error stops the rest.
func download(ctx context.Context, opts *UpdateOptions, dir string, index []indexEntry, urls []string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		finished int
	)
	sem := make(chan struct{}, opts.Concurrency)
loop:
	for i, e := range index {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := fetchService(ctx, opts, dir, e.Service, urls[i])
			if err != nil {
				cancel(err)
				return
			}
			if opts.Progress != nil {
				mu.Lock()
				finished++
				opts.Progress(finished, len(index))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

func fetchService(ctx context.Context, opts *UpdateOptions, dir, service, u string) error {
	b, err := fetch(ctx, opts, u)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, service, service+".json")
	if _, err := parseService(u, service, b); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// fetch gets u, retrying network errors and 5xx statuses.
func fetch(ctx context.Context, opts *UpdateOptions, u string) ([]byte, error) {
	var err error
	for attempt := 0; attempt <= opts.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
		var b []byte
		var retry bool
		b, retry, err = fetchOnce(ctx, opts, u)
		if err == nil {
			return b, nil
		}
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

func fetchOnce(ctx context.Context, opts *UpdateOptions, u string) (b []byte, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("get %s: %w", u, err)
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return nil, true, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, resp.StatusCode >= 500, fmt.Errorf("get %s: %s", u, resp.Status)
	}
	b, err = io.ReadAll(io.LimitReader(resp.Body, opts.MaxFileSize+1))
	if err != nil {
		return nil, true, fmt.Errorf("get %s: %w", u, err)
	}
	if int64(len(b)) > opts.MaxFileSize {
		return nil, false, fmt.Errorf("get %s: %w (over %d bytes)", u, ErrTooLarge, opts.MaxFileSize)
	}
	return b, false, nil
}

// swap replaces dir by tmp: the old dir is renamed aside, tmp renamed into
// place, and the old one removed. If the second rename fails the old dir
// is put back.
func swap(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		o, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".old-")
		if err != nil {
			return err
		}
		if err := os.Remove(o); err != nil {
			return err
		}
		if err := os.Rename(dir, o); err != nil {
			return err
		}
		old = o
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

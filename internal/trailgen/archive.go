package trailgen

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Summary counts what WriteArchive or Demo wrote.
type Summary struct {
	Files   int   // log files
	Digests int   // digest files
	Records int64 // records in the log files
	// Bytes is the uncompressed size of the log files.
	Bytes int64
	// CompressedBytes is the size on disk of the log and digest files.
	CompressedBytes int64
}

// String is the one-line summary the trailgen command prints.
func (s Summary) String() string {
	return fmt.Sprintf("%d files (%d digests), %d records, %s uncompressed, %s compressed",
		s.Files, s.Digests, s.Records, byteSize(s.Bytes), byteSize(s.CompressedBytes))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 2, 64) + " GiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// WriteArchive writes a synthetic CloudTrail archive under dir, laid out
// as CloudTrail writes it to S3, and returns what it wrote. Files are
// created (or truncated) under dir, which is created if needed; nothing
// else in dir is touched. The same options always give byte-identical
// files, whatever opts.Workers is. WriteArchive stops early, returning
// ctx's error, when ctx is cancelled; the files written until then stay.
func WriteArchive(ctx context.Context, dir string, opts Options) (Summary, error) {
	if err := opts.validate(); err != nil {
		return Summary{}, err
	}
	opts = opts.withDefaults()
	w := newArchiveWorld(opts)
	return w.write(ctx, dir, opts.Workers, opts.Digests)
}

func newArchiveWorld(o Options) *world {
	w := &world{
		seed: o.Seed, org: o.OrgID, prefix: o.Prefix, overlap: o.Overlap,
		regions: Regions()[:o.Regions], start: o.Start, days: o.Days,
		extras: true, apis: apiTable(),
	}
	r := newRNG(o.Seed, 0x7261)
	first := accountID(o.Seed, 0)
	w.bucket, w.trail = "aws-cloudtrail-logs-"+first+"-"+r.hex(8), "management-events"
	if w.org != "" {
		w.bucket, w.trail = "aws-controltower-logs-"+first+"-"+w.regions[0], "aws-controltower-BaselineCloudTrail"
	}
	for i := 0; i < o.Accounts; i++ {
		w.accounts = append(w.accounts, newAccount(w, i, accountID(o.Seed, i), archiveAlias(i)))
	}
	w.work = workloads(w)
	// The cast's own activity counts towards the size: the bulk
	// workload fills the rest.
	w.filler = max(0, o.Size/int64(o.Accounts*o.Days)-w.storyBytes())
	return w
}

// storyBytes estimates the rendered size of one account's story on one
// day, from the first account's first day.
func (w *world) storyBytes() int64 {
	jw := &jsonw{}
	r := newRNG(w.seed, 0x5b)
	n := int64(0)
	for _, grp := range newDayGen(w, w.accounts[0], 0).run() {
		for _, e := range grp {
			jw.reset()
			appendRecord(jw, e, w.accounts[0].id, r)
			n += int64(len(jw.b)) + 1
		}
	}
	return n
}

// A fileMeta is what a digest file needs to know about a log file.
type fileMeta struct {
	account, region int
	t               time.Time // file time
	key             string
	hash            [sha256.Size]byte
	oldest, newest  time.Time
}

type unitResult struct {
	files      []fileMeta
	trailFiles int // files of the account trail (Options.Overlap)
	records    int64
	bytes      int64
	gz         int64
}

// write generates every (account, day) unit on workers goroutines, then
// the digests.
func (w *world) write(ctx context.Context, dir string, workers int, digests bool) (Summary, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type unit struct{ acct, day int }
	var units []unit
	for day := 0; day < w.days; day++ {
		for ai := range w.accounts {
			units = append(units, unit{ai, day})
		}
	}
	results := make([]unitResult, len(units))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < max(1, workers); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newWriterState(digests)
			for i := range jobs {
				res, err := w.runUnit(ctx, dir, units[i].acct, units[i].day, st)
				if err != nil {
					cancel(err)
					continue
				}
				results[i] = res
			}
		}()
	}
feed:
	for i := range units {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return Summary{}, err
	}
	var sum Summary
	var metas []fileMeta
	for _, r := range results {
		sum.Files += len(r.files) + r.trailFiles
		sum.Records += r.records
		sum.Bytes += r.bytes
		sum.CompressedBytes += r.gz
		if digests {
			metas = append(metas, r.files...)
		}
	}
	if digests {
		n, gz, err := w.writeDigests(ctx, dir, metas)
		if err != nil {
			return Summary{}, err
		}
		sum.Digests, sum.CompressedBytes = n, sum.CompressedBytes+gz
	}
	return sum, nil
}

// writerState is one worker's reusable buffers.
type writerState struct {
	w      jsonw
	recs   []recRef
	gz     *gzip.Writer
	bw     *bufio.Writer
	sha    hash.Hash
	dirs   map[string]bool
	events []*event
}

type recRef struct {
	sort     int64
	off, end int
}

func newWriterState(digests bool) *writerState {
	st := &writerState{bw: bufio.NewWriterSize(nil, 256<<10), dirs: map[string]bool{}}
	st.gz, _ = gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	if digests {
		st.sha = sha256.New()
	}
	return st
}

// runUnit writes the files of one account and day: the day's 288
// delivery windows per region, plus late records of the day's story that
// fall past midnight (overflow files).
func (w *world) runUnit(ctx context.Context, dir string, ai, day int, st *writerState) (unitResult, error) {
	a := w.accounts[ai]
	groups := newDayGen(w, a, day).run()
	type wkey struct {
		region int
		t      int64
	}
	regionIdx := map[string]int{}
	for i, r := range w.regions {
		regionIdx[r] = i
	}
	story := map[wkey][]*event{}
	for _, grp := range w.kept(groups) {
		for _, e := range grp {
			ri, ok := regionIdx[e.region]
			if !ok {
				ri = 0
				e.region = w.regions[0]
			}
			k := wkey{ri, fileTime(e.deliver).Unix()}
			story[k] = append(story[k], e)
		}
	}
	var res unitResult
	dayStart := w.start.AddDate(0, 0, day)
	for ri := range w.regions {
		for T := dayStart.Add(deliveryWindow); !T.After(dayStart.Add(24 * time.Hour)); T = T.Add(deliveryWindow) {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			k := wkey{ri, T.Unix()}
			evs := story[k]
			delete(story, k)
			if err := w.writeWindow(dir, a, ri, T, evs, w.windowTarget(a, ri, T), 0, st, &res); err != nil {
				return res, err
			}
		}
	}
	var late []wkey
	for k := range story {
		late = append(late, k)
	}
	slices.SortFunc(late, func(x, y wkey) int {
		if x.region != y.region {
			return x.region - y.region
		}
		return int(x.t - y.t)
	})
	for _, k := range late {
		if err := w.writeWindow(dir, a, k.region, time.Unix(k.t, 0).UTC(), story[k], 0, 1, st, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// kept drops the groups with a record delivered after the end of the
// window: a session the trail's window cuts is left out whole.
func (w *world) kept(groups [][]*event) [][]*event {
	end := w.end()
	out := groups[:0]
	for _, grp := range groups {
		keep := true
		for _, e := range grp {
			if fileTime(e.deliver).After(end) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, grp)
		}
	}
	return out
}

// windowTarget is how many bytes of records the delivery window ending at
// T in region ri should hold: the account's daily share spread by time of
// day and region, with the bursts real trails show.
func (w *world) windowTarget(a *account, ri int, T time.Time) float64 {
	if w.filler == 0 {
		return 0
	}
	n := len(w.regions)
	rw := 1.0
	if n > 1 {
		if ri == 0 {
			rw = 0.55
		} else {
			rw = 0.45 / float64(n-1)
		}
	}
	h := T.Add(-time.Minute).Hour()
	hw := hourWeight(h) / hourWeightSum()
	r := newRNG(w.seed, hashString(a.id), uint64(ri), uint64(T.Unix()), 0x7a)
	burst := r.lognormal(1.1) * math.Exp(-1.1*1.1/2)
	if r.IntN(60) == 0 {
		burst *= 25 // a batch job
	}
	burst /= 1 + 24.0/60
	return float64(w.filler) * rw * hw / 12 * burst
}

// hourWeight is the relative activity in an hour of the day (UTC).
func hourWeight(h int) float64 {
	switch {
	case h < 5:
		return 0.35
	case h < 7:
		return 0.6
	case h < 9:
		return 1.1
	case h < 17:
		return 1.6
	case h < 20:
		return 1.0
	}
	return 0.5
}

func hourWeightSum() float64 {
	s := 0.0
	for h := 0; h < 24; h++ {
		s += hourWeight(h)
	}
	return s
}

// meanRecord is about how large a record is; it decides whether a window
// with a tiny budget gets a record at all.
const meanRecord = 1500

// maxFile bounds the uncompressed size of one log file: CloudTrail
// splits a busy delivery window into several files with the same time
// stamp.
const maxFile = 6 << 20

// writeWindow writes the log files of account a, region ri, file time T:
// the story's events plus bulk records up to target bytes. salt tells
// overflow files from regular ones. It writes nothing when the window has
// no records, and more than one file when it has more than maxFile bytes.
func (w *world) writeWindow(dir string, a *account, ri int, T time.Time, evs []*event, target float64, salt uint64, st *writerState, res *unitResult) error {
	r := newRNG(w.seed, hashString(a.id), uint64(ri), uint64(T.Unix()), salt, 0xf11e)
	var f *filler
	total := 0
	for part := 0; ; part++ {
		id := r.alnum(16)
		st.w.b = st.w.b[:0]
		st.recs = st.recs[:0]
		var oldest, newest time.Time
		size := 0
		add := func(e *event) {
			st.w.state = stOpen
			off := len(st.w.b)
			appendRecord(&st.w, e, a.id, r)
			st.recs = append(st.recs, recRef{sort: e.t.UnixNano() + r.Int64N(int64(20*time.Second)), off: off, end: len(st.w.b)})
			size += len(st.w.b) - off + 1
			if oldest.IsZero() || e.t.Before(oldest) {
				oldest = e.t
			}
			if e.t.After(newest) {
				newest = e.t
			}
		}
		if part == 0 {
			for _, e := range evs {
				add(e)
			}
			if size == 0 && target < meanRecord && r.Float64()*meanRecord >= target {
				return nil // a quiet window
			}
		}
		if target > 0 {
			if f == nil {
				f = newFiller(w, a, ri, r)
			}
			for float64(total+size) < target && size < maxFile {
				add(f.next(T))
			}
		}
		if len(st.recs) == 0 {
			return nil
		}
		key := w.logKey(a.id, w.regions[ri], T, id)
		sum, err := st.writeLog(dir, key, T, res)
		if err != nil {
			return err
		}
		if w.overlap {
			if err := w.writeAccountTrail(dir, a, ri, T, uint64(part)<<8|salt, st, res); err != nil {
				return err
			}
		}
		res.files = append(res.files, fileMeta{account: a.idx, region: ri, t: T, key: key, hash: sum, oldest: oldest, newest: newest})
		total += size
		if float64(total) >= target {
			return nil
		}
	}
}

// writeLog sorts the records in st, roughly by time as CloudTrail does,
// writes them as one delivery file at key, counts it in res and returns
// the SHA-256 of its content when st hashes.
func (st *writerState) writeLog(dir, key string, T time.Time, res *unitResult) ([sha256.Size]byte, error) {
	slices.SortStableFunc(st.recs, func(x, y recRef) int {
		switch {
		case x.sort < y.sort:
			return -1
		case x.sort > y.sort:
			return 1
		}
		return 0
	})
	raw, gz, sum, err := st.writeFile(dir, key, T, func(out io.Writer) error {
		if _, err := io.WriteString(out, `{"Records":[`); err != nil {
			return err
		}
		for i, rec := range st.recs {
			if i > 0 {
				if _, err := out.Write([]byte{','}); err != nil {
					return err
				}
			}
			if _, err := out.Write(st.w.b[rec.off:rec.end]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(out, "]}")
		return err
	})
	if err != nil {
		return sum, err
	}
	res.records += int64(len(st.recs))
	res.bytes += raw
	res.gz += gz
	return sum, nil
}

// writeAccountTrail delivers the records of the organization trail's file
// just written (in st, sorted) through the account trail too: split in two
// at a random record when there are several, each part in a file
// delivered one to nine minutes after the organization's. Its randomness
// is its own, so the organization trail is the same with or without it.
func (w *world) writeAccountTrail(dir string, a *account, ri int, T time.Time, salt uint64, st *writerState, res *unitResult) error {
	r := newRNG(w.seed, hashString(a.id), uint64(ri), uint64(T.Unix()), salt, 0xacc7)
	recs := st.recs
	parts := [][]recRef{recs}
	if len(recs) > 1 {
		cut := 1 + r.IntN(len(recs)-1)
		parts = [][]recRef{recs[:cut], recs[cut:]}
	}
	for _, part := range parts {
		t := T.Add(time.Duration(1+r.IntN(9)) * time.Minute)
		key := w.trailKey("", a.id, w.regions[ri], t, r.alnum(16))
		raw, gz, _, err := st.writeFile(dir, key, t, func(out io.Writer) error {
			if _, err := io.WriteString(out, `{"Records":[`); err != nil {
				return err
			}
			for i, rec := range part {
				if i > 0 {
					if _, err := out.Write([]byte{','}); err != nil {
						return err
					}
				}
				if _, err := out.Write(st.w.b[rec.off:rec.end]); err != nil {
					return err
				}
			}
			_, err := io.WriteString(out, "]}")
			return err
		})
		if err != nil {
			return err
		}
		res.records += int64(len(part))
		res.bytes += raw
		res.gz += gz
		res.trailFiles++
	}
	return nil
}

// countWriter counts bytes on their way to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeFile writes one gzip file at dir/key whose uncompressed content
// body produces. The gzip header names the file and carries mtime, as
// CloudTrail's do, so the bytes depend only on the content. It returns
// the uncompressed and compressed sizes and, when the state hashes, the
// SHA-256 of the uncompressed content.
func (st *writerState) writeFile(dir, key string, mtime time.Time, body func(io.Writer) error) (raw, gz int64, sum [sha256.Size]byte, err error) {
	p := filepath.Join(dir, filepath.FromSlash(key))
	if d := filepath.Dir(p); !st.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, 0, sum, fmt.Errorf("create directory %s: %w", d, err)
		}
		st.dirs[d] = true
	}
	f, err := os.Create(p)
	if err != nil {
		return 0, 0, sum, fmt.Errorf("create %s: %w", p, err)
	}
	cw := &countWriter{w: f}
	st.bw.Reset(cw)
	st.gz.Reset(st.bw)
	st.gz.Header = gzip.Header{Name: path.Base(key[:len(key)-len(".gz")]), ModTime: mtime, OS: 3}
	raws := &countWriter{w: st.gz}
	var out io.Writer = raws
	if st.sha != nil {
		st.sha.Reset()
		out = io.MultiWriter(raws, st.sha)
	}
	err = body(out)
	if err == nil {
		err = st.gz.Close()
	}
	if err == nil {
		err = st.bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, sum, fmt.Errorf("write %s: %w", p, err)
	}
	if st.sha != nil {
		st.sha.Sum(sum[:0])
	}
	return raws.n, cw.n, sum, nil
}

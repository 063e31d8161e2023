package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tailor-sec/tailor"
)

// problem reports a problem with the current object.
func (w *worker) problem(fe *FileError) {
	w.read.Failed = true
	w.report(fe)
}

// worker decodes objects one at a time, reusing its readers.
type worker struct {
	opts   *Options
	sink   Sink
	serial uint32 // of sink: the owner of the keys it was given
	jobs   []int  // the jobs sink was given, for a checkpoint
	stats  *Stats
	report func(*FileError)
	skip   func(*FileError)
	same   func(IdenticalObject)
	dedupe *dedupeCursor // nil with Options.NoDedupe
	twins  *twins        // nil with Options.NoDedupe

	gz  gunzipper
	br  *bufio.Reader
	dec *Decoder
	ev  tailor.Event
	buf []byte // an object read whole

	job     *job       // the current object
	read    ObjectRead // what reading the current object found
	counted *Window    // records of the current object an earlier run counted
	account string     // the account the current object's key shows, or ""
}

// prefetchWidth returns how many objects to fetch at once for sources,
// 0 when none of them gains from it.
func prefetchWidth(sources []Source) int {
	n := 0
	for _, s := range sources {
		if p, ok := s.(Prefetcher); ok {
			n = max(n, p.Prefetch())
		}
	}
	return n
}

// object reads one object, opened ahead (f.rc) or not, reporting any
// problem, and tells an ObjectSink about it.
func (w *worker) object(ctx context.Context, f *fetched) {
	defer f.close()
	j := &f.job
	name := ObjectName(j.src, j.obj)
	w.job, w.read, w.counted, w.account = j, ObjectRead{}, nil, ""
	if k, ok := ParseLogKey(j.obj.Key); ok {
		w.account = k.Account
	}
	if w.opts.Known != nil {
		_, w.counted = w.opts.Known(name, j.obj)
	}
	if sink, ok := w.sink.(ObjectSink); ok {
		defer func() {
			if ctx.Err() == nil { // an object cut short by cancellation is not done
				sink.ObjectDone(name, j.obj, w.read)
			}
		}()
	}
	if j.of != "" {
		w.identical(name, j.of)
		return
	}
	rc, data, err := f.rc, f.data, f.err
	if rc == nil && err == nil {
		if j.obj.Size >= 0 && j.obj.Size <= maxBuffered {
			data, rc, err = w.readAll(ctx, j)
		} else if rc, err = j.src.Open(ctx, j.obj); err == nil {
			defer rc.Close()
		}
	}
	if err != nil {
		w.problem(&FileError{Path: name, Offset: -1, Err: err})
		return
	}
	if data != nil {
		w.whole(ctx, name, data)
		return
	}
	counted := &countingReader{r: rc, n: &w.stats.BytesIn}
	if w.br == nil {
		w.br = bufio.NewReaderSize(counted, 64<<10)
	} else {
		w.br.Reset(counted)
	}
	magic, _ := w.br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		w.zip(ctx, name, j.obj, w.br)
	default:
		w.stream(ctx, name, w.br)
	}
}

// readAll reads the object of j whole into the worker's buffer. If the
// read fails part way, it returns instead a reader of what came, then the
// error, for the decoder to meet it where it is.
func (w *worker) readAll(ctx context.Context, j *job) ([]byte, io.ReadCloser, error) {
	rc, err := j.src.Open(ctx, j.obj)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	if need := int(j.obj.Size) + bytes.MinRead; cap(w.buf) < need {
		w.buf = make([]byte, 0, 1<<bits.Len(uint(need-1)))
	}
	b := w.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rc.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{err})), nil
		}
	}
	w.buf = b
	return b, nil, nil
}

// whole reads an object held whole in memory.
func (w *worker) whole(ctx context.Context, name string, d []byte) {
	w.stats.BytesIn.Add(int64(len(d)))
	if w.twins != nil {
		if of, ok := w.twins.of(ctx, w.job, d); ok {
			w.identical(name, of)
			return
		}
	}
	switch {
	case len(d) >= 2 && d[0] == 0x1f && d[1] == 0x8b:
		// Inflate it where it lies.
		w.inflate(ctx, name, func(gz gunzipper) error { return gz.ResetBytes(d) })
	case bytes.HasPrefix(d, []byte("PK\x03\x04")):
		w.zipAt(ctx, name, bytes.NewReader(d), int64(len(d)))
	default:
		w.decode(ctx, name, bytes.NewReader(d), false)
	}
}

// identical reports that the current object holds what object of does,
// which is read instead.
func (w *worker) identical(name, of string) {
	w.read.IdenticalTo = of
	w.same(IdenticalObject{Name: name, Of: of})
}

// stream decodes a plain or gzip stream.
func (w *worker) stream(ctx context.Context, name string, r *bufio.Reader) {
	if magic, _ := r.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		w.inflate(ctx, name, func(gz gunzipper) error { return gz.Reset(r) })
		return
	}
	w.decode(ctx, name, r, false)
}

// inflate decodes a gzip stream with the worker's inflater, which reset
// points at the stream.
func (w *worker) inflate(ctx context.Context, name string, reset func(gunzipper) error) {
	if w.gz == nil {
		w.gz = newGunzip()
	}
	if err := reset(w.gz); err != nil {
		w.problem(&FileError{Path: name, Offset: 0, Err: fmt.Errorf("gunzip: %w", err)})
		return
	}
	w.decode(ctx, name, gunzipErrors{w.gz}, true)
}

// decode runs the decoder over one stream.
func (w *worker) decode(ctx context.Context, name string, r io.Reader, gzipped bool) {
	cr := &countingReader{r: r, n: &w.stats.BytesDecoded}
	if w.dec == nil {
		w.dec = NewDecoder(cr, &w.opts.Decoder)
	} else {
		w.dec.Reset(cr)
	}
	w.dec.SetAccount(w.account)
	f := &w.opts.Filter
	var events, selected, dups int64
	flush := func() {
		w.stats.Events.Add(events)
		w.stats.Selected.Add(selected)
		w.stats.Duplicates.Add(dups)
		events, selected, dups = 0, 0, 0
	}
	keyed, _ := w.sink.(KeyedSink)
	lo, hi := w.job.lo, w.job.hi
	if hi != math.MaxInt64 {
		hi -= int64(MaxDeliveryLag / time.Second)
	}
	defer flush()
	var (
		first   *FileError // the first problem of this stream
		more    int        // problems after the first
		records int
	)
	defer func() {
		if first != nil {
			if more > 0 {
				first.Err = fmt.Errorf("%w (and %d more problems after it)", first.Err, more)
			}
			w.problem(first)
		}
	}()
	for {
		err := w.dec.Next(&w.ev)
		if err == nil {
			records++
			w.read.Records++
			if events++; events&4095 == 0 {
				flush()
				if ctx.Err() != nil {
					return
				}
			}
			if w.counted != nil && w.counted.contains(w.ev.Time) {
				continue // an earlier run counted it
			}
			if !f.inWindow(&w.ev) {
				w.read.Outside++
				continue
			}
			if !f.matchEvent(&w.ev) {
				continue
			}
			sel := f.matchPrincipal(&w.ev)
			if w.dedupe != nil {
				if key, ok := w.ev.Key(); ok {
					m, owner := Counted, w.serial
					switch t := w.ev.Time.Unix(); {
					case t < lo:
						m, owner = Held, owner|heldBit
					case t >= hi:
						m = Edge
					}
					if w.dedupe.copyOf(&w.ev, key, owner) {
						w.read.Duplicates++
						dups++
						continue
					}
					if keyed != nil {
						if sel {
							selected++
						}
						keyed.AddKeyed(&w.ev, sel, key, m)
						continue
					}
				}
			}
			if sel {
				selected++
			}
			w.sink.Add(&w.ev, sel)
			continue
		}
		if err == io.EOF {
			return
		}
		if errors.Is(err, ErrDigest) && records == 0 {
			w.stats.Skipped.Add(1)
			return
		}
		fe := w.fileError(name, err, gzipped)
		if errors.Is(err, ErrNotCloudTrail) && records == 0 && first == nil {
			// JSON of another kind (a manifest, a report): not a log.
			w.skip(fe)
			return
		}
		if first == nil {
			first = fe
		} else {
			more++
		}
		var re *RecordError
		if !errors.As(err, &re) {
			return // other errors end the stream
		}
	}
}

// fileError describes a decoding error of the named stream.
func (w *worker) fileError(name string, err error, gzipped bool) *FileError {
	fe := &FileError{Path: name, Offset: w.dec.InputOffset(), Err: err}
	var se *SyntaxError
	var re *RecordError
	switch {
	case errors.As(err, &re):
		fe.Offset, fe.Line, fe.Column, fe.Err = re.Offset, re.Line, re.Column, re.Err
	case errors.As(err, &se):
		fe.Offset, fe.Line, fe.Column = se.Offset, se.Line, se.Column
		fe.Err = errors.New(se.Msg)
		if errors.Is(err, ErrNotCloudTrail) {
			fe.Err = fmt.Errorf("%w: %s", ErrNotCloudTrail, se.Msg)
		}
		if !gzipped && strings.HasSuffix(strings.ToLower(name), ".gz") {
			fe.Err = fmt.Errorf("not gzip-compressed despite its name, and not JSON: %w", fe.Err)
		}
	case errors.Is(err, ErrEmpty):
		fe.Offset = 0
	}
	return fe
}

// zip decodes each member of a zip archive as its own stream. Zip needs
// random access: a local file is read in place, another stream is spooled
// to a temporary file first.
func (w *worker) zip(ctx context.Context, name string, obj Object, r io.Reader) {
	var ra io.ReaderAt
	size := obj.Size
	if f, ok := localFile(obj.Key); ok && obj.Key != "-" {
		defer f.Close()
		ra = f
	} else {
		tmp, err := os.CreateTemp("", "tailor-zip-*")
		if err != nil {
			w.problem(&FileError{Path: name, Offset: -1, Err: err})
			return
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if size, err = io.Copy(tmp, r); err != nil {
			w.problem(&FileError{Path: name, Offset: -1, Err: fmt.Errorf("spool zip: %w", err)})
			return
		}
		ra = tmp
	}
	if size < 0 {
		w.problem(&FileError{Path: name, Offset: -1, Err: errors.New("zip of unknown size")})
		return
	}
	w.zipAt(ctx, name, ra, size)
}

// zipAt decodes each member of the zip archive ra of size bytes.
func (w *worker) zipAt(ctx context.Context, name string, ra io.ReaderAt, size int64) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		w.problem(&FileError{Path: name, Offset: -1, Err: fmt.Errorf("unzip: %w", err)})
		return
	}
	for _, m := range zr.File {
		if m.FileInfo().IsDir() || strings.HasPrefix(m.Name, "__MACOSX/") {
			continue
		}
		mname := name + ":" + m.Name
		if k, ok := ParseLogKey(m.Name); ok && (k.Digest || k.Insight) {
			w.stats.Skipped.Add(1)
			continue
		}
		rc, err := m.Open()
		if err != nil {
			w.problem(&FileError{Path: mname, Offset: -1, Err: fmt.Errorf("unzip: %w", err)})
			continue
		}
		br := bufio.NewReaderSize(zipErrors{rc}, 64<<10)
		w.stream(ctx, mname, br)
		rc.Close()
	}
}

func localFile(path string) (*os.File, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, false
	}
	return f, true
}

// gunzipErrors says which layer failed when the gzip stream is bad.
type gunzipErrors struct{ r io.Reader }

func (g gunzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("gunzip: truncated gzip stream: %w", err)
		} else {
			err = fmt.Errorf("gunzip: %w", err)
		}
	}
	return n, err
}

type zipErrors struct{ r io.Reader }

func (z zipErrors) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("unzip: %w", err)
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

package usage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/internal/atomicfile"
)

// record is one row of the index as stored in Parquet. The schema is
// documented in the README; change it only with SchemaVersion.
type record struct {
	Kind          string `parquet:"kind,dict"`
	Day           int32  `parquet:"day,date"`
	Account       string `parquet:"account,dict"`
	Principal     string `parquet:"principal,dict"`
	PrincipalType string `parquet:"principal_type,dict"`
	CallerAccount string `parquet:"caller_account,dict"`
	EventSource   string `parquet:"event_source,dict"`
	EventName     string `parquet:"event_name,dict"`
	Resource      string `parquet:"resource"`
	Region        string `parquet:"region,dict"`
	RequestParams string `parquet:"request_params,dict"`
	Session       string `parquet:"session"`
	Calls         int64  `parquet:"calls"`
	Denied        int64  `parquet:"denied"`
	Errors        int64  `parquet:"errors"`
	FirstSeen     int64  `parquet:"first_seen,timestamp(millisecond)"`
	LastSeen      int64  `parquet:"last_seen,timestamp(millisecond)"`
	DataEvent     bool   `parquet:"data_event"`
	Folded        int64  `parquet:"folded"`
	FoldLevel     int32  `parquet:"fold_level"`
	FoldSketch    []byte `parquet:"fold_sketch,optional"`
	EventKey      []byte `parquet:"event_key,optional"`
}

// Metadata keys in the Parquet footer.
const (
	metaSchema = "tailor.usage.schema_version"
	metaJSON   = "tailor.usage.meta"
)

// ErrFormat marks a file that is not a usage index tailor can read.
var ErrFormat = errors.New("usage: not a usage index")

func toRecord(k *Key, c *cell) record {
	rec := record{
		Kind:          string(k.Kind),
		Day:           int32(k.Day.Unix() / 86400),
		Account:       k.Account,
		Principal:     k.Principal,
		PrincipalType: k.PrincipalType,
		CallerAccount: k.CallerAccount,
		EventSource:   k.EventSource,
		EventName:     k.EventName,
		Resource:      c.resource,
		Region:        k.Region,
		RequestParams: k.RequestParams,
		Session:       k.Session,
		Calls:         c.calls,
		Denied:        c.denied,
		Errors:        c.errors,
		FirstSeen:     c.first,
		LastSeen:      c.last,
		DataEvent:     c.data,
		FoldLevel:     int32(c.level),
	}
	if c.sketch != nil {
		rec.FoldSketch = c.sketch[:]
		rec.Folded = c.sketch.estimate()
	}
	return rec
}

func fromRecord(rec *record) (*Row, error) {
	r := &Row{
		Key: Key{
			Kind:          Kind(rec.Kind),
			Day:           time.Unix(int64(rec.Day)*86400, 0).UTC(),
			Account:       rec.Account,
			Principal:     rec.Principal,
			PrincipalType: rec.PrincipalType,
			CallerAccount: rec.CallerAccount,
			EventSource:   rec.EventSource,
			EventName:     rec.EventName,
			Resource:      rec.Resource,
			Region:        rec.Region,
			RequestParams: rec.RequestParams,
			Session:       rec.Session,
		},
		Calls:     rec.Calls,
		Denied:    rec.Denied,
		Errors:    rec.Errors,
		FirstSeen: time.UnixMilli(rec.FirstSeen).UTC(),
		LastSeen:  time.UnixMilli(rec.LastSeen).UTC(),
		Data:      rec.DataEvent,
		Folded:    rec.Folded,
		level:     uint8(rec.FoldLevel),
	}
	switch r.Kind {
	case "":
		r.Kind = KindCall // written by another engine without the column
	case KindCall, KindCoverage, KindSession, KindPending, KindSource:
	default:
		return nil, fmt.Errorf("%w: unknown row kind %q", ErrFormat, rec.Kind)
	}
	if len(rec.FoldSketch) > 0 {
		if len(rec.FoldSketch) != len(sketch{}) {
			return nil, fmt.Errorf("%w: fold sketch of %d bytes", ErrFormat, len(rec.FoldSketch))
		}
		r.sketch = new(sketch)
		copy(r.sketch[:], rec.FoldSketch)
	}
	return r, nil
}

// WriteTo writes the index as Parquet to w, rows in key order.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	meta := ix.Meta
	meta.SchemaVersion = SchemaVersion
	mj, err := json.Marshal(meta)
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	pw := parquet.NewGenericWriter[record](cw,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}),
		parquet.KeyValueMetadata(metaSchema, strconv.Itoa(SchemaVersion)),
		parquet.KeyValueMetadata(metaJSON, string(mj)),
		parquet.MaxRowsPerRowGroup(256<<10),
	)
	batch := make([]record, 0, 1024)
	var werr error
	emit := func(rec record) {
		if werr != nil {
			return
		}
		batch = append(batch, rec)
		if len(batch) == cap(batch) {
			_, werr = pw.Write(batch)
			batch = batch[:0]
		}
	}
	// Rows in key order, by kind: call, coverage, edge, held-*, pending,
	// session, source.
	row := func(g *group, c *cell) { emit(toRecord(&g.key, c)) }
	ix.t.walkGroups(func(g *group) bool { return g.key.Kind < KindEdge }, row)
	for _, k := range ix.sortedEdges() {
		e := ix.edges[k]
		emit(record{Kind: string(KindEdge), Day: int32(dayOf(time.UnixMilli(e.ms)).Unix() / 86400), Account: e.account,
			Region: e.region, FirstSeen: e.ms, LastSeen: e.ms, EventKey: bytes.Clone(k[:])})
	}
	for _, h := range ix.sortedHeld() {
		for _, r := range h.rows {
			rec := toRecord(&r.key, &r.cell)
			rec.Kind = heldPrefix + rec.Kind
			rec.EventKey = bytes.Clone(h.key[:])
			emit(rec)
		}
	}
	ix.t.walkGroups(func(g *group) bool { return g.key.Kind > KindEdge }, row)
	if werr != nil {
		return cw.n, fmt.Errorf("usage: write parquet: %w", werr)
	}
	if _, err := pw.Write(batch); err != nil {
		return cw.n, fmt.Errorf("usage: write parquet: %w", err)
	}
	if err := pw.Close(); err != nil {
		return cw.n, fmt.Errorf("usage: write parquet: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteFile writes the index to path atomically: into a temporary file
// beside it, synced, then renamed over path. An interrupted write never
// leaves a partial index under path.
func (ix *Index) WriteFile(path string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := ix.WriteTo(w)
		return err
	})
}

// ReadFile reads an index written by WriteFile, or a Parquet file with
// the same columns produced by another engine (an Athena UNLOAD, DuckDB).
// A file of another kind, an activity log for one (see Recognize), is a
// *tailor.KindError that says what it is.
func ReadFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	if err := kindError(f, st.Size(), path, tailor.KindUsageIndex, ErrFormat, tailor.KindUsageIndex, tailor.KindCheckpoint); err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	ix, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("usage: read %s: %w", path, err)
	}
	return ix, nil
}

// Read reads an index from Parquet.
func Read(r io.ReaderAt, size int64) (*Index, error) {
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	meta := Meta{FoldThreshold: DefaultFoldThreshold}
	if v, ok := pf.Lookup(metaSchema); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w: schema version %q", ErrFormat, v)
		}
		if n > SchemaVersion {
			return nil, fmt.Errorf("%w: schema version %d is newer than this tailor reads (%d): upgrade tailor", ErrFormat, n, SchemaVersion)
		}
	}
	if v, ok := pf.Lookup(metaJSON); ok {
		if err := json.Unmarshal([]byte(v), &meta); err != nil {
			return nil, fmt.Errorf("%w: metadata: %v", ErrFormat, err)
		}
	}
	for _, col := range []string{"day", "account", "principal", "event_source", "event_name", "calls"} {
		if !hasColumn(pf, col) {
			return nil, fmt.Errorf("%w: no column %q", ErrFormat, col)
		}
	}
	t := newTable(meta.FoldThreshold)
	ix := &Index{t: t, Meta: meta}
	pr := parquet.NewGenericReader[record](pf)
	defer pr.Close()
	buf := make([]record, 1024)
	for {
		n, err := pr.Read(buf)
		for i := range buf[:n] {
			rec := &buf[i]
			var key tailor.EventKey
			if rec.Kind == string(KindEdge) || strings.HasPrefix(rec.Kind, heldPrefix) {
				if len(rec.EventKey) != len(key) {
					return nil, fmt.Errorf("%w: %s row with an event key of %d bytes", ErrFormat, rec.Kind, len(rec.EventKey))
				}
				copy(key[:], rec.EventKey)
			}
			if rec.Kind == string(KindEdge) {
				ix.addEdge(key, edge{rec.Account, rec.Region, rec.FirstSeen})
				continue
			}
			held := strings.HasPrefix(rec.Kind, heldPrefix)
			if held {
				rec.Kind = strings.TrimPrefix(rec.Kind, heldPrefix)
				switch Kind(rec.Kind) {
				case KindCall, KindCoverage, KindPending:
				default:
					return nil, fmt.Errorf("%w: unknown row kind %q", ErrFormat, heldPrefix+rec.Kind)
				}
			}
			row, ferr := fromRecord(rec)
			if ferr != nil {
				return nil, ferr
			}
			if held {
				ix.readHeld(key, row)
				continue
			}
			t.insertRow(row)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
	}
	return ix, nil
}

// readHeld adds a held row read from Parquet to its event.
func (ix *Index) readHeld(key tailor.EventKey, r *Row) {
	if ix.held == nil {
		ix.held = make(map[tailor.EventKey]*heldEvent)
	}
	h := ix.held[key]
	if h == nil {
		h = &heldEvent{key: key}
		ix.held[key] = h
	}
	c := cellOf(r)
	c.resource = strings.Clone(c.resource)
	k := r.Key
	k.Resource = ""
	for _, p := range []*string{&k.Account, &k.Principal, &k.PrincipalType, &k.CallerAccount,
		&k.EventSource, &k.EventName, &k.Region, &k.RequestParams, &k.Session} {
		*p = ix.t.intern(*p)
	}
	h.rows = append(h.rows, heldRow{key: k, cell: *c})
}

func hasColumn(pf *parquet.File, name string) bool {
	_, ok := pf.Schema().Lookup(name)
	return ok
}

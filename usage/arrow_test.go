package usage_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/tailor-sec/tailor/usage"
)

// TestIndependentReader reads an index with Apache Arrow's Parquet
// reader, which shares no code with parquet-go, and checks every value
// against the rows tailor holds.
func TestIndependentReader(t *testing.T) {
	ix := build(t, events(5, 3000), false, 2, rand.New(rand.NewPCG(5, 5)))
	path := filepath.Join(t.TempDir(), "usage.parquet")
	if err := ix.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if v := pf.MetaData().KeyValueMetadata().FindValue("tailor.usage.schema_version"); v == nil || *v != strconv.Itoa(usage.SchemaVersion) {
		t.Errorf("schema version metadata = %v", v)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	rows := ix.Rows()
	if int(tbl.NumRows()) != len(rows) {
		t.Fatalf("arrow reads %d rows, index has %d", tbl.NumRows(), len(rows))
	}
	col := func(name string) arrow.Array {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("no column %q in %v", name, tbl.Schema())
		}
		c := tbl.Column(idx[0])
		if len(c.Data().Chunks()) != 1 {
			t.Fatalf("column %s in %d chunks", name, len(c.Data().Chunks()))
		}
		return c.Data().Chunk(0)
	}
	str := func(name string, i int) string {
		switch a := col(name).(type) {
		case *array.String:
			return a.Value(i)
		case *array.Dictionary:
			return a.Dictionary().(*array.String).Value(a.GetValueIndex(i))
		case *array.Binary:
			return string(a.Value(i))
		default:
			t.Fatalf("column %s is %T", name, a)
		}
		return ""
	}
	i64 := func(name string, i int) int64 { return col(name).(*array.Int64).Value(i) }
	for i, r := range rows {
		day := col("day").(*array.Date32).Value(i).ToTime()
		first := col("first_seen").(*array.Timestamp).Value(i)
		got := [...]any{str("kind", i), day, str("account", i), str("principal", i), str("caller_account", i),
			str("event_source", i), str("event_name", i), str("resource", i), str("region", i), str("session", i),
			i64("calls", i), i64("denied", i), i64("errors", i), int64(first), col("data_event").(*array.Boolean).Value(i), i64("folded", i)}
		want := [...]any{string(r.Kind), r.Day, r.Account, r.Principal, r.CallerAccount,
			r.EventSource, r.EventName, r.Resource, r.Region, r.Session,
			r.Calls, r.Denied, r.Errors, r.FirstSeen.UnixMilli(), r.Data, r.Folded}
		for k := range got {
			if g, ok := got[k].(time.Time); ok {
				if !g.Equal(want[k].(time.Time)) {
					t.Fatalf("row %d field %d: arrow %v, tailor %v", i, k, got[k], want[k])
				}
				continue
			}
			if got[k] != want[k] {
				t.Fatalf("row %d field %d: arrow %v, tailor %v", i, k, got[k], want[k])
			}
		}
	}
}

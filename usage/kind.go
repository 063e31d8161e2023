package usage

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/tailor-sec/tailor"
)

// The columns that make a Parquet file without tailor's metadata (an
// Athena UNLOAD, DuckDB) a usage index or an activity log.
var (
	indexColumns    = []string{"day", "account", "principal", "event_source", "event_name", "calls"}
	activityColumns = []string{"time", "account", "principal", "event_source", "event_name"}
)

// Recognize tells which of the package's files the file at path is, from
// its Parquet footer: tailor.KindUsageIndex (the footer holds
// tailor.usage.schema_version, or, for a file another engine wrote, the
// index's columns), tailor.KindCheckpoint (an index an interrupted ingest
// left: partial, and written by no tool), or tailor.KindActivityLog
// (tailor.activity.schema_version, or the activity log's columns). It
// returns tailor.KindUnknown for anything else, Parquet or not; its error
// is only ever one of opening or reading the file.
func Recognize(path string) (tailor.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return tailor.KindUnknown, err
	}
	if st.IsDir() {
		return tailor.KindUnknown, nil
	}
	k, _ := recognize(f, st.Size())
	return k, nil
}

// recognize tells the kind of the Parquet file in r, as Recognize does;
// for a file of no kind the package knows, its error says why.
func recognize(r io.ReaderAt, size int64) (tailor.Kind, error) {
	magic := make([]byte, tailor.SniffSize)
	n, _ := r.ReadAt(magic, 0)
	if c := tailor.SniffBytes(magic[:n]); c != tailor.KindParquet {
		return tailor.KindUnknown, nil
	}
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return tailor.KindUnknown, fmt.Errorf("unreadable Parquet: %v", err)
	}
	if _, ok := pf.Lookup(metaSchema); ok {
		var meta Meta
		if v, ok := pf.Lookup(metaJSON); ok && json.Unmarshal([]byte(v), &meta) == nil && meta.Partial && meta.Tool == "" {
			return tailor.KindCheckpoint, nil
		}
		return tailor.KindUsageIndex, nil
	}
	if _, ok := pf.Lookup(activitySchemaKey); ok {
		return tailor.KindActivityLog, nil
	}
	has := func(cols []string) string {
		for _, c := range cols {
			if !hasColumn(pf, c) {
				return c
			}
		}
		return ""
	}
	missingIndex, missingActivity := has(indexColumns), has(activityColumns)
	switch {
	case missingIndex == "":
		return tailor.KindUsageIndex, nil
	case missingActivity == "":
		return tailor.KindActivityLog, nil
	}
	return tailor.KindUnknown, fmt.Errorf("no %s or %s in its metadata, and no column %q", metaSchema, activitySchemaKey, missingIndex)
}

// kindError returns the error for the file at path that is not of kind
// want: nil when it is one of the kinds in ok, else a *tailor.KindError
// that says what it is and wraps sentinel.
func kindError(r io.ReaderAt, size int64, path string, want tailor.Kind, sentinel error, ok ...tailor.Kind) error {
	got, detail := recognize(r, size)
	for _, k := range ok {
		if got == k {
			return nil
		}
	}
	if got == tailor.KindUnknown {
		head := make([]byte, tailor.SniffSize)
		n, _ := r.ReadAt(head, 0)
		got = tailor.SniffBytes(head[:n])
	}
	return &tailor.KindError{Path: path, Want: want, Got: got, Err: detail, Sentinel: sentinel}
}

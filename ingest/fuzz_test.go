package ingest_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor/ingest"
)

// FuzzDecoder: no input makes the decoder panic or loop, and the events
// and errors do not depend on how the input is split into reads.
func FuzzDecoder(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "decode", "*"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &ingest.DecoderOptions{MaxRecordBytes: 1 << 12, RequestParams: []string{"tags"}}
		whole, werrs := decodeAll(t, bytes.NewReader(data), opts)
		split, serrs := decodeAll(t, &chunkReader{data: data, n: 3}, opts)
		if len(whole) != len(split) || len(werrs) != len(serrs) {
			t.Fatalf("whole: %d events %v; in 3-byte reads: %d events %v", len(whole), werrs, len(split), serrs)
		}
		for i := range whole {
			if !eventsEqual(whole[i], split[i]) {
				t.Fatalf("event %d differs:\n%+v\n%+v", i, whole[i], split[i])
			}
		}
		for i := range werrs {
			if werrs[i].Error() != serrs[i].Error() {
				t.Fatalf("error %d differs: %v / %v", i, werrs[i], serrs[i])
			}
			var se *ingest.SyntaxError
			if errors.As(werrs[i], &se) && (se.Offset < 0 || se.Offset > int64(len(data))) {
				t.Fatalf("error offset %d outside the input of %d bytes", se.Offset, len(data))
			}
		}
	})
}

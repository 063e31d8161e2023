package ingest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/usage"
)

var (
	corpusOnce sync.Once
	corpusRaw  []byte // {"Records":[...]} of real records, about 32 MB
	corpusGz   []byte
)

// realCorpus builds a delivery file of about 32 MB from the real native
// CloudTrail files in the shared corpus, repeated.
func realCorpus(b *testing.B) ([]byte, []byte) {
	dir := shareddata.Dir(b, "cloudtrail", "invictus-aws_dataset")
	corpusOnce.Do(func() {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		var recs []json.RawMessage
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			var d struct{ Records []json.RawMessage }
			if err := json.Unmarshal(data, &d); err != nil {
				b.Fatal(err)
			}
			recs = append(recs, d.Records...)
		}
		var buf bytes.Buffer
		buf.WriteString(`{"Records":[`)
		for n := 0; buf.Len() < 32<<20; n++ {
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.Write(recs[n%len(recs)])
		}
		buf.WriteString("]}")
		corpusRaw = buf.Bytes()
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
		zw.Write(corpusRaw)
		zw.Close()
		corpusGz = gz.Bytes()
	})
	return corpusRaw, corpusGz
}

// BenchmarkGunzip is the yardstick: klauspost/compress inflate alone.
func BenchmarkGunzip(b *testing.B) {
	raw, gz := realCorpus(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	for b.Loop() {
		zr.Reset(bytes.NewReader(gz))
		if _, err := io.Copy(io.Discard, zr); err != nil {
			b.Fatal(err)
		}
	}
}

// drain decodes every record of r with d, calling fn with each.
func drain(b *testing.B, d *ingest.Decoder, r io.Reader, fn func(*tailor.Event)) {
	var ev tailor.Event
	d.Reset(r)
	for {
		err := d.Next(&ev)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
		fn(&ev)
	}
}

// BenchmarkDecode measures the decoder alone on decompressed bytes.
func BenchmarkDecode(b *testing.B) {
	raw, _ := realCorpus(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	d := ingest.NewDecoder(nil, nil)
	for b.Loop() {
		drain(b, d, bytes.NewReader(raw), func(*tailor.Event) {})
	}
}

// BenchmarkDecodeBuild measures decoding and aggregating.
func BenchmarkDecodeBuild(b *testing.B) {
	raw, _ := realCorpus(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	d := ingest.NewDecoder(nil, nil)
	for b.Loop() {
		ub := usage.NewBuilder(usage.BuilderOptions{})
		drain(b, d, bytes.NewReader(raw), func(ev *tailor.Event) { ub.Add(ev, true) })
	}
}

// BenchmarkIngestOneWorker is the whole path on one core: inflate,
// decode, aggregate. Compare its MB/s with BenchmarkGunzip's.
func BenchmarkIngestOneWorker(b *testing.B) {
	raw, gz := realCorpus(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	d := ingest.NewDecoder(nil, nil)
	for b.Loop() {
		ub := usage.NewBuilder(usage.BuilderOptions{})
		zr.Reset(bytes.NewReader(gz))
		drain(b, d, zr, func(ev *tailor.Event) { ub.Add(ev, true) })
	}
}

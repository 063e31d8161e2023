//go:build isal

package ingest

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// TestISALMatchesKlauspost: the ISA-L inflater of -tags isal builds gives
// the bytes klauspost/compress gives, on whole, concatenated, truncated
// and corrupt streams.
func TestISALMatchesKlauspost(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	text := func(n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(`{"eventName":"GetObject","key":"`)
			for i := 0; i < 20; i++ {
				b.WriteByte(byte('a' + r.IntN(26)))
			}
			b.WriteString("\"}\n")
		}
		return b.Bytes()
	}
	big := text(3 << 20)
	cases := map[string][]byte{
		"empty":        gz(nil),
		"small":        gz(text(100)),
		"big":          gz(big),
		"concatenated": append(gz(text(5000)), gz(text(7000))...),
		"truncated":    gz(big)[:100000],
		"corrupt":      func() []byte { b := gz(big); b[5000] ^= 0xff; return b }(),
		"bad crc":      func() []byte { b := gz(text(1000)); b[len(b)-6] ^= 0xff; return b }(),
	}
	read := func(z gunzipper, in []byte) ([]byte, error) {
		if err := z.Reset(bufio.NewReaderSize(bytes.NewReader(in), 64<<10)); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		buf := make([]byte, 7777)
		for {
			n, err := z.Read(buf)
			out.Write(buf[:n])
			if err == io.EOF {
				return out.Bytes(), nil
			}
			if err != nil {
				return out.Bytes(), err
			}
		}
	}
	isal := newGunzip()
	for name, in := range cases {
		zr, _ := gzip.NewReader(bytes.NewReader(in))
		var want []byte
		var werr error
		if zr != nil {
			want, werr = io.ReadAll(zr)
		}
		got, gerr := read(isal, in) // one reader for all: Reset reuses it
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: klauspost error %v, ISA-L error %v", name, werr, gerr)
			continue
		}
		if werr == nil && !bytes.Equal(got, want) {
			t.Errorf("%s: ISA-L gives %d bytes, klauspost %d", name, len(got), len(want))
		}
		if werr != nil && !bytes.HasPrefix(want, got[:min(len(got), len(want))]) {
			t.Errorf("%s: before the error, ISA-L gave bytes klauspost did not", name)
		}
	}
}

//go:build !isal

package ingest

import (
	"bufio"
	"bytes"
	"io"

	"github.com/klauspost/compress/gzip"
)

// InflateEngine names the gzip inflater this build uses.
const InflateEngine = "klauspost/compress"

// gzipReader is klauspost/compress's gzip reader, the inflater of the
// default build (build with -tags isal for ISA-L's).
type gzipReader struct {
	zr *gzip.Reader
	br bytes.Reader
}

func newGunzip() gunzipper { return new(gzipReader) }

func (g *gzipReader) Reset(r *bufio.Reader) error { return g.reset(r) }

// ResetBytes reads b through a bytes.Reader, which klauspost/compress's
// inflater reads without the copy through a bufio.Reader.
func (g *gzipReader) ResetBytes(b []byte) error {
	g.br.Reset(b)
	return g.reset(&g.br)
}

func (g *gzipReader) reset(r io.Reader) error {
	if g.zr == nil {
		zr, err := gzip.NewReader(r)
		g.zr = zr
		return err
	}
	return g.zr.Reset(r)
}

func (g *gzipReader) Read(p []byte) (int, error) { return g.zr.Read(p) }

//go:build !isal

package ingest

import (
	"bufio"

	"github.com/klauspost/compress/gzip"
)

// InflateEngine names the gzip inflater this build uses.
const InflateEngine = "klauspost/compress"

// gzipReader is klauspost/compress's gzip reader, the inflater of the
// default build (build with -tags isal for ISA-L's).
type gzipReader struct{ zr *gzip.Reader }

func newGunzip() gunzipper { return new(gzipReader) }

func (g *gzipReader) Reset(r *bufio.Reader) error {
	if g.zr == nil {
		zr, err := gzip.NewReader(r)
		g.zr = zr
		return err
	}
	return g.zr.Reset(r)
}

func (g *gzipReader) Read(p []byte) (int, error) { return g.zr.Read(p) }

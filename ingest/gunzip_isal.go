//go:build isal

package ingest

/*
#cgo LDFLAGS: -lisal
#include <stdlib.h>
#include <isa-l/igzip_lib.h>

static struct inflate_state *tailor_isal_new(void) {
	struct inflate_state *s = malloc(sizeof(struct inflate_state));
	if (s) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP;
	}
	return s;
}

static void tailor_isal_reset(struct inflate_state *s) {
	isal_inflate_reset(s);
	s->crc_flag = ISAL_GZIP;
}

// tailor_isal_step inflates from in into out. It reports the bytes
// consumed and produced, and whether the gzip member ended.
static int tailor_isal_step(struct inflate_state *s, uint8_t *in, uint32_t in_len,
		uint8_t *out, uint32_t out_len, uint32_t *consumed, uint32_t *produced, int *done) {
	s->next_in = in;
	s->avail_in = in_len;
	s->next_out = out;
	s->avail_out = out_len;
	int rc = isal_inflate(s);
	*consumed = in_len - s->avail_in;
	*produced = out_len - s->avail_out;
	*done = s->block_state == ISAL_BLOCK_FINISH;
	s->next_in = NULL;
	s->next_out = NULL;
	return rc;
}
*/
import "C"

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"unsafe"
)

// InflateEngine names the gzip inflater this build uses.
const InflateEngine = "ISA-L (cgo)"

// isalReader inflates a gzip stream with Intel's ISA-L, streaming: it
// holds one input buffer, never the whole stream. It is what a build with
// -tags isal uses instead of klauspost/compress.
type isalReader struct {
	state *C.struct_inflate_state
	src   *bufio.Reader
	in    []byte // input not yet consumed: a window of src's buffer
	done  bool   // the current member ended
	err   error

	bytes bytes.Reader  // for ResetBytes
	bbuf  *bufio.Reader // over bytes
}

func newGunzip() gunzipper { return new(isalReader) }

func (z *isalReader) Reset(r *bufio.Reader) error {
	if z.state == nil {
		z.state = C.tailor_isal_new()
		if z.state == nil {
			return errors.New("isal: out of memory")
		}
		s := z.state
		runtime.AddCleanup(z, func(*int) { C.free(unsafe.Pointer(s)) }, nil)
	} else {
		C.tailor_isal_reset(z.state)
	}
	z.src, z.in, z.done, z.err = r, nil, false, nil
	magic, err := r.Peek(2)
	if err != nil || magic[0] != 0x1f || magic[1] != 0x8b {
		return fmt.Errorf("gzip: invalid header")
	}
	return nil
}

// ResetBytes reads b through a bufio.Reader, as Reset does: ISA-L reads
// its input in place from the bufio.Reader's buffer.
func (z *isalReader) ResetBytes(b []byte) error {
	z.bytes.Reset(b)
	if z.bbuf == nil {
		z.bbuf = bufio.NewReaderSize(&z.bytes, 64<<10)
	} else {
		z.bbuf.Reset(&z.bytes)
	}
	return z.Reset(z.bbuf)
}

func (z *isalReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	for len(p) > 0 {
		if z.done {
			// Another member may follow, as in concatenated gzip files.
			if _, err := z.src.Peek(1); err != nil {
				z.err = io.EOF
				return 0, io.EOF
			}
			C.tailor_isal_reset(z.state)
			z.done = false
		}
		if len(z.in) == 0 {
			b, err := z.src.Peek(z.src.Buffered())
			if len(b) == 0 {
				if b, err = z.src.Peek(1); len(b) == 0 {
					if err == io.EOF {
						err = io.ErrUnexpectedEOF
					}
					z.err = err
					return 0, err
				}
				b, _ = z.src.Peek(z.src.Buffered())
			}
			z.in = b
		}
		var consumed, produced C.uint32_t
		var done C.int
		var pin runtime.Pinner
		pin.Pin(&z.in[0])
		pin.Pin(&p[0])
		rc := C.tailor_isal_step(z.state, (*C.uint8_t)(unsafe.Pointer(&z.in[0])), C.uint32_t(len(z.in)),
			(*C.uint8_t)(unsafe.Pointer(&p[0])), C.uint32_t(min(len(p), 1<<30)), &consumed, &produced, &done)
		pin.Unpin()
		z.src.Discard(int(consumed))
		z.in = z.in[consumed:]
		if rc != C.ISAL_DECOMP_OK {
			z.err = fmt.Errorf("gzip: invalid data (isal %d)", int(rc))
			return int(produced), z.err
		}
		z.done = done != 0
		if produced > 0 {
			return int(produced), nil
		}
		if consumed == 0 && !z.done {
			z.err = errors.New("gzip: invalid data (no progress)")
			return 0, z.err
		}
	}
	return 0, nil
}

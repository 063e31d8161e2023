package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// twins finds the objects of a run that hold what another one does once
// decompressed: a log file and its gzipped twin, two copies of one file.
// Each object read whole gets a fingerprint of its content: a gzip file's
// trailer holds the CRC-32 and size of what it decompresses to, and a
// plain file's are computed, at many gigabytes a second. Objects whose
// fingerprints match are compared byte for byte before one is taken for
// the other, so that no object is ever skipped for another it only
// resembles. It is safe for concurrent use.
type twins struct {
	jobs []job

	mu   sync.Mutex
	seen map[fingerprint][]int // job indexes
}

// fingerprint is the CRC-32 and size (modulo 2³²) of an object's content
// once decompressed.
type fingerprint struct{ crc, size uint32 }

func newTwins(jobs []job) *twins {
	return &twins{jobs: jobs, seen: make(map[fingerprint][]int)}
}

// minTwin is the least content worth comparing: no shorter object holds
// a record.
const minTwin = 64

// fingerprintOf returns the fingerprint of an object held whole, d. It
// reports false for a zip archive and for content too short to matter.
func fingerprintOf(d []byte) (fingerprint, bool) {
	switch {
	case isGzip(d):
		if len(d) < 18 {
			return fingerprint{}, false
		}
		t := d[len(d)-8:]
		fp := fingerprint{binary.LittleEndian.Uint32(t), binary.LittleEndian.Uint32(t[4:])}
		return fp, fp.size >= minTwin
	case bytes.HasPrefix(d, []byte("PK\x03\x04")) || len(d) < minTwin:
		return fingerprint{}, false
	}
	return fingerprint{crc32.ChecksumIEEE(d), uint32(len(d))}, true
}

func isGzip(d []byte) bool { return len(d) >= 2 && d[0] == 0x1f && d[1] == 0x8b }

// of returns the name of an object the run reads that holds what d, the
// object of j, does, and reports whether there is one. If there is none, j
// becomes a candidate for the objects that follow.
func (t *twins) of(ctx context.Context, j *job, d []byte) (string, bool) {
	fp, ok := fingerprintOf(d)
	if !ok {
		return "", false
	}
	t.mu.Lock()
	cands, ok := t.seen[fp]
	if !ok {
		t.seen[fp] = []int{j.i}
		t.mu.Unlock()
		return "", false
	}
	cands = slices.Clone(cands)
	t.mu.Unlock()
	for _, c := range cands {
		if o := &t.jobs[c]; sameContent(ctx, o, d) {
			return ObjectName(o.src, o.obj), true
		}
	}
	t.mu.Lock()
	t.seen[fp] = append(t.seen[fp], j.i)
	t.mu.Unlock()
	return "", false
}

// sameContent reports whether the object of o holds d once both are
// decompressed. A problem reading either makes them different.
func sameContent(ctx context.Context, o *job, d []byte) bool {
	rc, err := o.src.Open(ctx, o.obj)
	if err != nil {
		return false
	}
	defer rc.Close()
	a, err := decompressed(bufio.NewReader(rc))
	if err != nil {
		return false
	}
	b, err := decompressed(bufio.NewReader(bytes.NewReader(d)))
	if err != nil {
		return false
	}
	bufA, bufB := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		na, errA := io.ReadFull(a, bufA)
		nb, errB := io.ReadFull(b, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false
		}
		eofA := errA == io.EOF || errA == io.ErrUnexpectedEOF
		eofB := errB == io.EOF || errB == io.ErrUnexpectedEOF
		switch {
		case eofA && eofB:
			return true
		case eofA != eofB, errA != nil && !eofA, errB != nil && !eofB:
			return false
		}
	}
}

// decompressed returns what r holds, gunzipped if it is gzip.
func decompressed(r *bufio.Reader) (io.Reader, error) {
	if magic, _ := r.Peek(2); isGzip(magic) {
		return gzip.NewReader(r)
	}
	return r, nil
}

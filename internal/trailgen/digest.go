package trailgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"time"
)

// CloudTrail delivers a digest file per account, region and hour listing
// the log files delivered in that hour with the SHA-256 of their
// uncompressed content, chained to the previous digest by its hash and
// signature. The signatures here are made up (no AWS private key signs
// them); everything else is consistent and could be checked.

// writeDigests writes the digest files for metas and returns how many it
// wrote and their compressed size.
func (w *world) writeDigests(ctx context.Context, dir string, metas []fileMeta) (int, int64, error) {
	type chain struct{ account, region int }
	by := map[chain][]fileMeta{}
	last := w.end()
	for _, m := range metas {
		k := chain{m.account, m.region}
		by[k] = append(by[k], m)
		if m.t.After(last) {
			last = m.t
		}
	}
	r := newRNG(w.seed, 0xd16e57)
	offset := time.Duration(r.IntN(3600)) * time.Second
	st := newWriterState(false)
	n, gz := 0, int64(0)
	for ai, a := range w.accounts {
		for ri, region := range w.regions {
			if err := ctx.Err(); err != nil {
				return n, gz, err
			}
			files := by[chain{ai, ri}]
			slices.SortFunc(files, func(x, y fileMeta) int {
				if c := x.t.Compare(y.t); c != 0 {
					return c
				}
				if x.key < y.key {
					return -1
				}
				return 1
			})
			fp := newRNG(w.seed, hashString(region), 0xf9).hex(32)
			var prevKey string
			var prevHash [sha256.Size]byte
			for s := w.start.Add(offset - time.Hour); s.Before(last); s = s.Add(time.Hour) {
				e := s.Add(time.Hour)
				var in []fileMeta
				for len(files) > 0 && files[0].t.Before(e) {
					if !files[0].t.Before(s) {
						in = append(in, files[0])
					}
					files = files[1:]
				}
				key := w.digestKey(a.id, region, e)
				body := w.digest(a.id, s, e, key, fp, prevKey, prevHash, in)
				_, c, _, err := st.writeFile(dir, key, e, func(out io.Writer) error {
					_, err := out.Write(body)
					return err
				})
				if err != nil {
					return n, gz, err
				}
				n++
				gz += c
				prevKey, prevHash = key, sha256.Sum256(body)
			}
		}
	}
	return n, gz, nil
}

// digest renders one digest file.
func (w *world) digest(account string, start, end time.Time, key, fingerprint, prevKey string, prevHash [sha256.Size]byte, files []fileMeta) []byte {
	j := &jsonw{state: stOpen}
	j.obj()
	j.kstr("awsAccountId", account)
	j.ktime("digestStartTime", start)
	j.ktime("digestEndTime", end)
	j.kstr("digestS3Bucket", w.bucket)
	j.kstr("digestS3Object", key)
	j.kstr("digestPublicKeyFingerprint", fingerprint)
	j.kstr("digestSignatureAlgorithm", "SHA256withRSA")
	if len(files) == 0 {
		j.knull("newestEventTime")
		j.knull("oldestEventTime")
	} else {
		var oldest, newest time.Time
		for _, f := range files {
			if oldest.IsZero() || f.oldest.Before(oldest) {
				oldest = f.oldest
			}
			if f.newest.After(newest) {
				newest = f.newest
			}
		}
		j.ktime("newestEventTime", newest)
		j.ktime("oldestEventTime", oldest)
	}
	if prevKey == "" {
		j.knull("previousDigestS3Bucket")
		j.knull("previousDigestS3Object")
		j.knull("previousDigestHashValue")
		j.knull("previousDigestHashAlgorithm")
		j.knull("previousDigestSignature")
	} else {
		j.kstr("previousDigestS3Bucket", w.bucket)
		j.kstr("previousDigestS3Object", prevKey)
		j.kstr("previousDigestHashValue", hex.EncodeToString(prevHash[:]))
		j.kstr("previousDigestHashAlgorithm", "SHA-256")
		j.kstr("previousDigestSignature", fakeSignature(prevHash))
	}
	j.karr("logFiles")
	for _, f := range files {
		j.obj()
		j.kstr("s3Bucket", w.bucket)
		j.kstr("s3Object", f.key)
		j.kstr("hashValue", hex.EncodeToString(f.hash[:]))
		j.kstr("hashAlgorithm", "SHA-256")
		j.ktime("newestEventTime", f.newest)
		j.ktime("oldestEventTime", f.oldest)
		j.endObj()
	}
	j.endArr()
	j.endObj()
	return j.b
}

// fakeSignature is a 2048-bit "signature" derived from a digest's hash:
// the right length and alphabet, but signed by nobody.
func fakeSignature(h [sha256.Size]byte) string {
	out := make([]byte, 0, 256)
	for i := byte(0); len(out) < 256; i++ {
		b := sha256.Sum256(append(h[:], i))
		out = append(out, b[:]...)
	}
	return hex.EncodeToString(out[:256])
}

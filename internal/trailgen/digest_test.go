package trailgen_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

type digestFile struct {
	rel  string
	raw  []byte
	body struct {
		AwsAccountID            string  `json:"awsAccountId"`
		DigestStartTime         string  `json:"digestStartTime"`
		DigestEndTime           string  `json:"digestEndTime"`
		DigestS3Bucket          string  `json:"digestS3Bucket"`
		DigestS3Object          string  `json:"digestS3Object"`
		PublicKeyFingerprint    string  `json:"digestPublicKeyFingerprint"`
		SignatureAlgorithm      string  `json:"digestSignatureAlgorithm"`
		NewestEventTime         *string `json:"newestEventTime"`
		OldestEventTime         *string `json:"oldestEventTime"`
		PreviousDigestS3Object  *string `json:"previousDigestS3Object"`
		PreviousDigestHashValue *string `json:"previousDigestHashValue"`
		PreviousDigestSignature *string `json:"previousDigestSignature"`
		LogFiles                []struct {
			S3Bucket        string `json:"s3Bucket"`
			S3Object        string `json:"s3Object"`
			HashValue       string `json:"hashValue"`
			HashAlgorithm   string `json:"hashAlgorithm"`
			NewestEventTime string `json:"newestEventTime"`
			OldestEventTime string `json:"oldestEventTime"`
		} `json:"logFiles"`
	}
}

// Digest files list every log file once, with the SHA-256 of its
// uncompressed content, and chain to the previous digest of the same
// account and region.
func TestDigests(t *testing.T) {
	dir, sum := smallArchive(t)
	var digests []*digestFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		m := digestName.FindStringSubmatch(rel)
		if m == nil {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		df := &digestFile{rel: rel}
		df.raw, _ = gunzip(t, rel, b)
		if err := json.Unmarshal(df.raw, &df.body); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if df.body.AwsAccountID != m[3] || df.body.DigestS3Object != rel {
			t.Errorf("%s: account %s object %s", rel, df.body.AwsAccountID, df.body.DigestS3Object)
		}
		end, err := time.Parse(time.RFC3339, df.body.DigestEndTime)
		if err != nil || end.Format("20060102T150405Z") != m[12] {
			t.Errorf("%s: digestEndTime %s, name says %s", rel, df.body.DigestEndTime, m[12])
		}
		start, _ := time.Parse(time.RFC3339, df.body.DigestStartTime)
		if end.Sub(start) != time.Hour {
			t.Errorf("%s: covers %v to %v", rel, start, end)
		}
		if df.body.SignatureAlgorithm != "SHA256withRSA" || len(df.body.PublicKeyFingerprint) != 32 {
			t.Errorf("%s: signature fields %q %q", rel, df.body.SignatureAlgorithm, df.body.PublicKeyFingerprint)
		}
		digests = append(digests, df)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(digests) != sum.Digests || len(digests) == 0 {
		t.Fatalf("found %d digest files, summary says %d", len(digests), sum.Digests)
	}

	logs := map[string]*logFile{}
	for _, f := range smallLogFiles(t) {
		logs[f.rel] = f
	}
	listed := map[string]int{}
	chains := map[string][]*digestFile{}
	for _, d := range digests {
		m := digestName.FindStringSubmatch(d.rel)
		chains[m[3]+"/"+m[4]] = append(chains[m[3]+"/"+m[4]], d)
		start, _ := time.Parse(time.RFC3339, d.body.DigestStartTime)
		end, _ := time.Parse(time.RFC3339, d.body.DigestEndTime)
		for _, lf := range d.body.LogFiles {
			listed[lf.S3Object]++
			f, ok := logs[lf.S3Object]
			if !ok {
				t.Errorf("%s lists %s, which does not exist", d.rel, lf.S3Object)
				continue
			}
			h := sha256.Sum256(f.raw)
			if lf.HashValue != hex.EncodeToString(h[:]) || lf.HashAlgorithm != "SHA-256" {
				t.Errorf("%s: hash of %s is %s, want %x", d.rel, lf.S3Object, lf.HashValue, h)
			}
			if f.t.Before(start) || !f.t.Before(end) {
				t.Errorf("%s (%v to %v) lists %s delivered at %v", d.rel, start, end, lf.S3Object, f.t)
			}
			oldest, newest := eventSpan(f)
			if lf.OldestEventTime != oldest || lf.NewestEventTime != newest {
				t.Errorf("%s: %s spans %s to %s, digest says %s to %s", d.rel, lf.S3Object, oldest, newest, lf.OldestEventTime, lf.NewestEventTime)
			}
		}
	}
	for rel := range logs {
		if listed[rel] != 1 {
			t.Errorf("%s is listed in %d digests, want 1", rel, listed[rel])
		}
	}
	for k, chain := range chains {
		sort.Slice(chain, func(i, j int) bool { return chain[i].body.DigestEndTime < chain[j].body.DigestEndTime })
		for i, d := range chain {
			if i == 0 {
				if d.body.PreviousDigestS3Object != nil {
					t.Errorf("%s: first digest of %s points to %s", d.rel, k, *d.body.PreviousDigestS3Object)
				}
				continue
			}
			prev := chain[i-1]
			h := sha256.Sum256(prev.raw)
			if d.body.PreviousDigestS3Object == nil || *d.body.PreviousDigestS3Object != prev.rel ||
				d.body.PreviousDigestHashValue == nil || *d.body.PreviousDigestHashValue != hex.EncodeToString(h[:]) ||
				d.body.PreviousDigestSignature == nil || len(*d.body.PreviousDigestSignature) != 512 {
				t.Errorf("%s does not chain to %s", d.rel, prev.rel)
			}
		}
	}
}

// eventSpan is the oldest and newest eventTime in a log file.
func eventSpan(f *logFile) (string, string) {
	var oldest, newest string
	for _, r := range f.records {
		et := str(r, "eventTime")
		if oldest == "" || et < oldest {
			oldest = et
		}
		if et > newest {
			newest = et
		}
	}
	return oldest, newest
}

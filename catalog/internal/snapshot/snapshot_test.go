package snapshot

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	f := &File{
		Format: Format, Source: "pkg@1", Date: time.Date(2026, 9, 26, 4, 46, 59, 0, time.UTC),
		Services: []Service{{
			Prefix: "s3", Name: "Amazon S3", Operations: []string{"GetObject"},
			Actions: []Action{{Name: "GetObject", Level: "Read",
				Resources:     []ActionResource{{Name: "object", Required: true, ConditionKeys: []string{"s3:x"}}},
				ConditionKeys: []string{"s3:ExistingObjectTag/<key>"}}},
			Resources:     []Resource{{Name: "object", ARNs: []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}}},
			ConditionKeys: []ConditionKey{{Name: "s3:x", Type: "String"}},
		}},
	}
	var a, b bytes.Buffer
	if err := Write(&a, f); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("Write is not deterministic")
	}
	got, err := Read(&a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, f)
	}
}

func TestReadErrors(t *testing.T) {
	gz := func(s string) *bytes.Buffer {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return &b
	}
	for name, tc := range map[string]struct {
		in   *bytes.Buffer
		want string
	}{
		"not gzip":     {bytes.NewBufferString(`{"format":2}`), "read snapshot"},
		"bad json":     {gz(`{"format":2,`), "decode snapshot"},
		"other format": {gz(`{"format":1}`), "format 1"},
	} {
		if _, err := Read(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

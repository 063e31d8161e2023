package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
)

// memSource serves objects from memory; sizes may lie, as a listing may
// when an object changes after it.
type memSource map[string][]byte

func (m memSource) List(context.Context, Filter, func(Object) error) error { return nil }
func (m memSource) String() string                                         { return "mem" }
func (m memSource) Open(_ context.Context, o Object) (io.ReadCloser, error) {
	b, ok := m[o.Key]
	if !ok {
		return nil, fmt.Errorf("no object %s", o.Key)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// TestPrefetchDelivers checks that every object fetched ahead reaches its
// worker whole, whatever its size against the buffers reused between
// objects, including objects larger or smaller than listed.
func TestPrefetchDelivers(t *testing.T) {
	src := memSource{}
	var jobs []job
	sizes := []int{0, 1, 511, 512, 513, 4095, 4096, 65024, 65025, 70000, 131072, 300}
	for i, n := range sizes {
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(i*31 + j*7)
		}
		key := fmt.Sprintf("obj%02d", i)
		src[key] = data
		listed := int64(n)
		switch i % 4 {
		case 1:
			listed = int64(n) / 2 // grew since listed
		case 2:
			listed = int64(n) + 1000 // shrank since listed
		}
		jobs = append(jobs, job{src: src, obj: Object{Key: key, Size: listed}})
	}
	// Fetch the list several times over so buffers come back from the
	// pool holding other objects' bytes.
	all := append(append(append([]job(nil), jobs...), jobs...), jobs...)
	for _, width := range []int{1, 3} {
		t.Run(fmt.Sprint("width-", width), func(t *testing.T) {
			got := 0
			for f := range prefetch(context.Background(), all, width) {
				if f.err != nil {
					t.Errorf("%s: %v", f.job.obj.Key, f.err)
					continue
				}
				b, err := io.ReadAll(f.rc)
				if err != nil || !bytes.Equal(b, src[f.job.obj.Key]) {
					t.Errorf("%s: %d bytes, err %v; want the %d stored", f.job.obj.Key, len(b), err, len(src[f.job.obj.Key]))
				}
				f.close()
				got++
			}
			if got != len(all) {
				t.Errorf("delivered %d objects, want %d", got, len(all))
			}
		})
	}
}

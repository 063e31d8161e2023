package s3

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
)

// tree is a synthetic bucket: each folder's subfolders and objects.
type tree struct {
	dirs    map[string][]string // prefix -> child prefixes
	objects map[string][]string // prefix -> object keys
	all     []string            // every object key
	nodes   []string            // every folder prefix
}

func randomTree(seed uint64, depth, fanout int) *tree {
	rng := rand.New(rand.NewPCG(seed, 1))
	t := &tree{dirs: map[string][]string{}, objects: map[string][]string{}}
	var grow func(prefix string, d int)
	grow = func(prefix string, d int) {
		t.nodes = append(t.nodes, prefix)
		if d == depth {
			for i := range 1 + rng.IntN(3) {
				k := fmt.Sprintf("%sf%02d.json.gz", prefix, i)
				t.objects[prefix] = append(t.objects[prefix], k)
				t.all = append(t.all, k)
			}
			return
		}
		// A loose object between folders, as a listing may return.
		if rng.IntN(3) == 0 {
			k := prefix + "loose.json.gz"
			t.objects[prefix] = append(t.objects[prefix], k)
			t.all = append(t.all, k)
		}
		for i := range 1 + rng.IntN(fanout) {
			c := fmt.Sprintf("%sd%02d/", prefix, i)
			t.dirs[prefix] = append(t.dirs[prefix], c)
			grow(c, d+1)
		}
	}
	grow("root/", 0)
	slices.Sort(t.all)
	slices.Sort(t.nodes)
	return t
}

// expander returns an expandFunc over the tree that sleeps at random, so
// expansions finish out of order, and counts its calls.
func (t *tree) expander(seed uint64, started *atomic.Int64, fail string) expandFunc {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 2))
	return func(ctx context.Context, n *node) ([]item, error) {
		started.Add(1)
		mu.Lock()
		sleep := rng.IntN(4) == 0 // a quarter of the listings are slow
		mu.Unlock()
		if sleep {
			time.Sleep(200 * time.Microsecond)
		}
		if n.prefix == fail {
			return nil, fmt.Errorf("list %s: boom", n.prefix)
		}
		var items []item
		// Children first and objects last: walk must sort them.
		for _, c := range t.dirs[n.prefix] {
			items = append(items, item{node: &node{prefix: c}})
		}
		for _, k := range t.objects[n.prefix] {
			items = append(items, item{obj: ingest.Object{Key: k}})
		}
		return items, nil
	}
}

func TestWalkOrderAndWindow(t *testing.T) {
	for _, c := range []struct{ workers, window int }{{1, 1}, {2, 1}, {3, 2}, {8, 4}, {8, 32}} {
		for seed := uint64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("w%d-win%d-seed%d", c.workers, c.window, seed), func(t *testing.T) {
				tr := randomTree(seed, 3, 5)
				var started atomic.Int64
				var got []string
				done := make(chan error, 1)
				go func() {
					done <- walk(context.Background(), &node{prefix: "root/"}, c.workers, c.window,
						tr.expander(seed, &started, ""), func(o ingest.Object) error {
							// Nodes before this key in key order have been reached;
							// at most window+1 more may have started.
							reached := sort.SearchStrings(tr.nodes, o.Key)
							if s := int(started.Load()); s > reached+c.window+1 {
								t.Errorf("at %s: %d expansions started, %d nodes reached, window %d", o.Key, s, reached, c.window)
							}
							got = append(got, o.Key)
							return nil
						})
				}()
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("walk did not finish: deadlock?")
				}
				if !slices.Equal(got, tr.all) {
					t.Errorf("emitted %d keys, want %d in key order", len(got), len(tr.all))
				}
				if int(started.Load()) != len(tr.nodes) {
					t.Errorf("expanded %d nodes, want each of %d once", started.Load(), len(tr.nodes))
				}
			})
		}
	}
}

func TestWalkErrors(t *testing.T) {
	tr := randomTree(9, 3, 4)
	failAt := tr.nodes[len(tr.nodes)/2]
	if len(tr.all) < 10 {
		t.Fatalf("tree has %d objects: too few for the test", len(tr.all))
	}
	t.Run("expand", func(t *testing.T) {
		var started atomic.Int64
		var got []string
		err := walk(context.Background(), &node{prefix: "root/"}, 4, 8, tr.expander(1, &started, failAt),
			func(o ingest.Object) error { got = append(got, o.Key); return nil })
		if err == nil || !strings.Contains(err.Error(), "list "+failAt+": boom") {
			t.Fatalf("err = %v, want the failing node's", err)
		}
		// Everything before the failed folder, nothing after.
		var want []string
		for _, k := range tr.all {
			if k < failAt {
				want = append(want, k)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("emitted %d keys before the error, want %d", len(got), len(want))
		}
	})
	t.Run("callback", func(t *testing.T) {
		var started atomic.Int64
		stop := errors.New("stop")
		calls := 0
		err := walk(context.Background(), &node{prefix: "root/"}, 4, 8, tr.expander(1, &started, ""),
			func(o ingest.Object) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("err = %v after %d calls, want stop after 1", err, calls)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		var started atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		err := walk(ctx, &node{prefix: "root/"}, 4, 8, tr.expander(1, &started, ""),
			func(o ingest.Object) error {
				calls++
				if calls == 3 {
					cancel()
				}
				return nil
			})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

package s3

import (
	"container/heap"
	"context"
	"sort"
	"sync"

	"github.com/tailor-sec/tailor/ingest"
)

// A node is a prefix of the bucket that List expands: into child prefixes
// (found by a delimiter listing or built from the filter) and objects.
type node struct {
	prefix string
	level  level
	// What the path fixes so far.
	org, account, region string
	year, month          int

	// dirs holds the folders under prefix when listed is set: List lists
	// the first level itself to tell the layout.
	dirs   []string
	listed bool

	done  chan struct{} // closed when items and err are set
	items []item        // children and objects, sorted by key
	err   error
}

// An item is a child node or an object, in the key order of a listing.
type item struct {
	node *node
	obj  ingest.Object
}

func (it item) key() string {
	if it.node != nil {
		return it.node.prefix
	}
	return it.obj.Key
}

// expandFunc expands a node: it lists it (or builds its children from the
// filter) and returns its children and selected objects, in any order.
type expandFunc func(ctx context.Context, n *node) ([]item, error)

// walk expands root and its descendants with up to workers expansions at
// once, and calls emit for every object in key order: depth first, each
// node's items in key order. Since a child's prefix extends its parent's,
// that is the order of the keys themselves.
//
// Expansions run in key order too (the pending node with the smallest
// prefix goes first), and at most window nodes are expanded ahead of the
// one emit is waiting for, so memory stays bounded by window listings
// however large the tree. The node emit waits for may always start, so
// the window cannot deadlock the walk.
func walk(ctx context.Context, root *node, workers, window int, expand expandFunc, emit func(ingest.Object) error) error {
	ctx, cancel := context.WithCancel(ctx)
	w := &walker{expand: expand, window: window}
	w.cond = sync.NewCond(&w.mu)
	root.done = make(chan struct{})
	heap.Push(&w.pending, root)

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work(ctx)
		}()
	}
	err := w.emit(ctx, root, emit)
	cancel()
	w.mu.Lock()
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
	wg.Wait()
	return err
}

type walker struct {
	expand expandFunc
	window int

	mu          sync.Mutex
	cond        *sync.Cond
	pending     nodeHeap
	outstanding int   // nodes started and not yet reached by emit
	want        *node // the node emit waits for, if any
	closed      bool
}

func (w *walker) work(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for !w.closed && !w.canStart() {
			w.cond.Wait()
		}
		if w.closed {
			return
		}
		n := heap.Pop(&w.pending).(*node)
		w.outstanding++
		w.mu.Unlock()

		items, err := w.expand(ctx, n)
		sort.Slice(items, func(i, j int) bool { return items[i].key() < items[j].key() })

		w.mu.Lock()
		n.items, n.err = items, err
		for _, it := range items {
			if it.node != nil {
				it.node.done = make(chan struct{})
				heap.Push(&w.pending, it.node)
			}
		}
		close(n.done)
		w.cond.Broadcast()
	}
}

// canStart reports whether the smallest pending node may be expanded now.
// w.mu is held.
func (w *walker) canStart() bool {
	if len(w.pending) == 0 {
		return false
	}
	return w.outstanding < w.window || w.pending[0] == w.want
}

// emit waits for n, then emits its objects and, recursively, its
// children's, in key order.
func (w *walker) emit(ctx context.Context, n *node, fn func(ingest.Object) error) error {
	w.mu.Lock()
	w.want = n
	w.cond.Broadcast()
	w.mu.Unlock()
	select {
	case <-n.done:
	case <-ctx.Done():
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	w.want = nil
	w.outstanding--
	w.cond.Broadcast()
	w.mu.Unlock()
	if n.err != nil {
		return n.err
	}
	items := n.items
	n.items = nil // let the listing go once emitted
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if it.node != nil {
			err = w.emit(ctx, it.node, fn)
		} else {
			err = fn(it.obj)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nodeHeap orders pending nodes by prefix.
type nodeHeap []*node

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].prefix < h[j].prefix }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return n
}

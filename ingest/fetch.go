package ingest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/bits"
	"sync"
	"sync/atomic"
)

// A Prefetcher is a Source whose objects are worth opening ahead of the
// workers: each Open waits on a network round trip, which fetching many
// objects at once hides.
type Prefetcher interface {
	Source
	// Prefetch returns how many objects to fetch at once.
	Prefetch() int
}

// Limits of prefetching: objects up to maxBuffered bytes are read whole
// into memory ahead of the workers, within prefetchBudget bytes in all;
// larger ones are handed over as open streams.
const (
	maxBuffered    = 8 << 20
	prefetchBudget = 64 << 20
)

// fetched is an object opened ahead of the worker that reads it.
type fetched struct {
	job job
	rc  io.ReadCloser
	// data is the whole object when it was fetched into memory whole;
	// rc reads the same bytes.
	data    []byte
	err     error
	release func() // returns the buffer and its budget; nil if none
}

// prefetch opens jobs in order, n at a time, and delivers them on the
// returned channel, which it closes after the last or when ctx ends.
func prefetch(ctx context.Context, jobs []job, n int) <-chan *fetched {
	out := make(chan *fetched, n)
	budget := newBudget(prefetchBudget)
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				f := fetchOne(ctx, jobs[i], budget, &pool)
				select {
				case out <- f:
				case <-ctx.Done():
					f.close()
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

func fetchOne(ctx context.Context, j job, budget *budget, pool *sync.Pool) *fetched {
	f := &fetched{job: j}
	if j.of != "" {
		return f // identical to another: not fetched at all
	}
	small := j.obj.Size >= 0 && j.obj.Size <= maxBuffered
	var need int64
	if small {
		need = min(max(j.obj.Size, 1), prefetchBudget)
		if !budget.acquire(ctx, need) {
			f.err = ctx.Err()
			return f
		}
	}
	f.rc, f.err = j.src.Open(ctx, j.obj)
	if f.err != nil || !small {
		if small {
			budget.release(need)
		}
		return f
	}
	buf := pool.Get().(*bytes.Buffer)
	buf.Reset()
	// One read to EOF, no regrowth. Capacities are powers of two, so a
	// pooled buffer fits the many objects of about the same size instead
	// of being dropped for one a few bytes larger.
	if need := int(j.obj.Size) + bytes.MinRead; buf.Cap() < need {
		buf.Grow(1 << bits.Len(uint(need-1)))
	}
	_, err := buf.ReadFrom(f.rc)
	f.rc.Close()
	if err != nil {
		// Let the worker meet the error where it is, with what came first.
		f.rc = io.NopCloser(io.MultiReader(bytes.NewReader(buf.Bytes()), errReader{err}))
	} else {
		f.data = buf.Bytes()
		f.rc = io.NopCloser(bytes.NewReader(f.data))
	}
	f.release = func() {
		pool.Put(buf)
		budget.release(need)
	}
	return f
}

func (f *fetched) close() {
	if f.rc != nil {
		f.rc.Close()
	}
	if f.release != nil {
		f.release()
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// budget bounds the bytes held by prefetched objects.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	left int64
}

func newBudget(n int64) *budget {
	b := &budget{left: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits for n bytes of the budget; it reports false if ctx ends
// first.
func (b *budget) acquire(ctx context.Context, n int64) bool {
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.left < n {
		if ctx.Err() != nil {
			return false
		}
		b.cond.Wait()
	}
	b.left -= n
	return true
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// A gunzipper inflates a gzip stream; a worker keeps one and resets it
// for each object.
type gunzipper interface {
	Reset(r *bufio.Reader) error
	// ResetBytes is Reset on a stream held whole in memory, which an
	// inflater may read without copying it through a bufio.Reader.
	ResetBytes(b []byte) error
	Read(p []byte) (int, error)
}

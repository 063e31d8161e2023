package ingest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// checkpointer hands the workers' sinks to Options.Checkpoint at the
// interval of Options.CheckpointEvery.
type checkpointer struct {
	opts    *Options
	dd      *dedupe
	newSink func(w int) (Sink, uint32)
	gen     atomic.Int64 // bumped at every interval
	handed  chan handed
	quit    chan struct{}
	done    chan struct{}
	gens    []int64 // per worker: the generation of its current sink
}

// handed is a sink a worker handed over, with its serial and the jobs
// whose events it was given.
type handed struct {
	sink   Sink
	serial uint32
	jobs   []int
}

func newCheckpointer(ctx context.Context, opts *Options, dd *dedupe, cancel context.CancelCauseFunc, newSink func(int) (Sink, uint32)) *checkpointer {
	c := &checkpointer{opts: opts, dd: dd, newSink: newSink}
	if opts.CheckpointEvery <= 0 || opts.Checkpoint == nil {
		return c
	}
	c.handed = make(chan handed, 4*opts.Workers)
	c.quit, c.done = make(chan struct{}), make(chan struct{})
	c.gens = make([]int64, opts.Workers)
	go func() {
		defer close(c.done)
		t := time.NewTicker(opts.CheckpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// The sinks handed over since the last tick.
			var sinks []Sink
			var jobs []int
			serials := make(map[uint32]bool)
			for more := true; more; {
				select {
				case h := <-c.handed:
					sinks = append(sinks, h.sink)
					serials[h.serial] = true
					jobs = append(jobs, h.jobs...)
				default:
					more = false
				}
			}
			if len(sinks) > 0 {
				var seen []Seen
				if c.dd != nil {
					seen = c.dd.seenBy(serials)
				}
				if err := opts.Checkpoint(sinks, seen); err != nil {
					cancel(fmt.Errorf("ingest: checkpoint: %w", err))
					return
				}
				// Only now may the run forget the events of these jobs:
				// a run resumed from the checkpoint reads again the
				// jobs it does not hold.
				if c.dd != nil {
					for _, i := range jobs {
						c.dd.finished(i)
					}
				}
			}
			c.gen.Add(1)
		}
	}()
	return c
}

// finished records that worker wk finished job i; it reports false if a
// checkpoint is to tell the run's dedupe state instead, once the job's
// events are safe in it.
func (c *checkpointer) finished(wk *worker, i int) bool {
	if c.handed == nil {
		return true
	}
	wk.jobs = append(wk.jobs, i)
	return false
}

// handOver passes worker w's sink on if a checkpoint asked for it.
func (c *checkpointer) handOver(w int, wk *worker) {
	if c.handed == nil {
		return
	}
	if g := c.gen.Load(); g != c.gens[w] {
		c.gens[w] = g
		select {
		case c.handed <- handed{wk.sink, wk.serial, wk.jobs}:
			wk.sink, wk.serial = c.newSink(w)
			wk.jobs = nil
		default: // the checkpoint is behind: keep the sink for the next
		}
	}
}

// stop ends the checkpoints. Sinks handed over but not yet checkpointed
// stay the caller's, as those the workers held at the end.
func (c *checkpointer) stop() {
	if c.quit != nil {
		close(c.quit)
		<-c.done
	}
}

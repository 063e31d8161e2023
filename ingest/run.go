package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tailor-sec/tailor"
)

// A Sink receives the events a run decodes. Each worker owns one sink;
// calls on one sink never overlap. The event is valid only during the
// call.
type Sink interface {
	// Add receives an event inside the filter's window, accounts and
	// regions. selected reports whether it also matches the filter's
	// principals: a sink that counts coverage or sessions sees all events.
	Add(ev *tailor.Event, selected bool)
}

// Options configure a run. The zero value reads everything with one
// worker per CPU.
type Options struct {
	Filter Filter
	// Workers is the number of objects decoded at once. Zero means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Strict stops the run at the first unreadable object.
	Strict bool
	// Decoder configures each worker's decoder.
	Decoder DecoderOptions
	// NewSink returns the sink of worker i, for i in [0, Workers).
	NewSink func(i int) Sink
	// Stats, if set, is updated as the run goes, for a progress display.
	Stats *Stats
	// Listed, if set, is called once the objects to read are known,
	// before any is read: how many, and their stored size.
	Listed func(objects int, bytes int64)

	// Shard, if set, reads only a part of the selected objects: see
	// Shard.
	Shard Shard
	// Known, if set, says what earlier runs (tailor ingest --append, a
	// checkpoint) read of an object: all of it (skip), or the records in
	// a time window (counted), which this run passes over.
	Known func(name string, obj Object) (skip bool, counted *Window)

	// CheckpointEvery, with Checkpoint, makes the run hand over its sinks
	// at that interval: each worker, between two objects, passes its sink
	// to Checkpoint and goes on with a new one from NewSink. A sink handed
	// over holds whole objects only. seen lists the events those sinks
	// were given to count that a copy may still follow: a run resumed from
	// the checkpoint passes them in Options.Seen. Checkpoint runs on a
	// goroutine of its own, never concurrently with itself; an error from
	// it ends the run.
	CheckpointEvery time.Duration
	Checkpoint      func(sinks []Sink, seen []Seen) error

	// NoDedupe passes on every record and reads every object, copies
	// included: to measure what counting each event once costs. By
	// default a run drops the records whose key (tailor.Event.Key) it has
	// met already, reads once objects with the same content, and passes
	// a KeyedSink what later runs and merges need (see Mark).
	NoDedupe bool
	// Seen lists events earlier runs counted (the index appended to, a
	// checkpoint): the run drops their copies.
	Seen []Seen
	// MaxDedupeKeys bounds the event keys the run remembers at once. Zero
	// means DefaultMaxDedupeKeys.
	MaxDedupeKeys int
}

// A Window is a span of time, [Since, Until); a zero bound is open.
type Window struct{ Since, Until time.Time }

func (w Window) contains(t time.Time) bool {
	return (w.Since.IsZero() || !t.Before(w.Since)) && (w.Until.IsZero() || t.Before(w.Until))
}

// Shard selects part K (0-based) of N of a run's objects. The zero Shard
// selects everything. The parts are deterministic for a given listing and
// balanced by size: objects go, largest first, to the part with the
// fewest bytes so far.
type Shard struct{ K, N int }

// An ObjectSink is a Sink that wants to know each object it has read
// whole or in part: a usage index remembers them, so that a later run
// reads only what is new.
type ObjectSink interface {
	Sink
	// ObjectDone reports an object read: its canonical name (see
	// ObjectName), the object, and what reading it found.
	ObjectDone(name string, obj Object, read ObjectRead)
}

// ObjectRead tells what reading an object found.
type ObjectRead struct {
	Records int64 // records it held
	// Outside counts the records neither this run nor an earlier one
	// counted (Options.Known), for the time window: a later run with
	// another window may want them.
	Outside int64
	Failed  bool // it could not be read whole
	// Duplicates counts the records that were copies of events already
	// counted, by this run or an earlier one.
	Duplicates int64
	// IdenticalTo names the object this one is identical to (the same
	// content, or the same S3 ETag and size), which was read instead;
	// "" if none.
	IdenticalTo string
}

// Stats are the counters of a run. All fields are updated atomically; read
// them with Snapshot while the run goes on.
type Stats struct {
	Objects      atomic.Int64 // objects selected by listing
	Bytes        atomic.Int64 // their stored size, where known
	Listed       atomic.Bool  // listing finished: Objects and Bytes are final
	Done         atomic.Int64 // objects finished, read or failed
	Failed       atomic.Int64 // objects with a problem (some may be partly read)
	Skipped      atomic.Int64 // digest files and objects without records, found on reading
	BytesIn      atomic.Int64 // stored bytes read
	BytesDecoded atomic.Int64 // decompressed bytes decoded
	Events       atomic.Int64 // records decoded
	Selected     atomic.Int64 // records passed to sinks as selected
	Duplicates   atomic.Int64 // records dropped as copies of events counted
	Identical    atomic.Int64 // objects not read: identical to another
	// Remembered is the most event keys the run held at once, to drop
	// copies; Forgotten counts those it forgot early, to stay within
	// Options.MaxDedupeKeys: copies of those events may count twice.
	Remembered, Forgotten atomic.Int64
}

// Snapshot is a copy of Stats at one moment.
type Snapshot struct {
	Objects, Bytes, Done, Failed, Skipped, BytesIn, BytesDecoded, Events, Selected int64
	Duplicates, Identical, Remembered, Forgotten                                   int64
	Listed                                                                         bool
}

// Snapshot returns the current counters.
func (s *Stats) Snapshot() Snapshot {
	return Snapshot{
		Objects: s.Objects.Load(), Bytes: s.Bytes.Load(), Done: s.Done.Load(),
		Failed: s.Failed.Load(), Skipped: s.Skipped.Load(), BytesIn: s.BytesIn.Load(),
		BytesDecoded: s.BytesDecoded.Load(), Events: s.Events.Load(), Selected: s.Selected.Load(),
		Duplicates: s.Duplicates.Load(), Identical: s.Identical.Load(),
		Remembered: s.Remembered.Load(), Forgotten: s.Forgotten.Load(),
		Listed: s.Listed.Load(),
	}
}

// Result is the outcome of a run.
type Result struct {
	Stats Snapshot
	// Problems lists the objects that could not be read whole, in the
	// order of their names: the records before each problem were kept.
	Problems []*FileError
	// NotLogs lists the objects skipped because they hold JSON that is
	// not CloudTrail (manifests, reports), in the order of their names.
	NotLogs []*FileError
	// Identical lists the objects not read because they are identical to
	// another that was, in the order of their names.
	Identical []IdenticalObject
}

// An IdenticalObject is an object a run did not read because it holds
// what another does: the same bytes once decompressed (a file and its
// gzipped twin, two copies of one file), or the same S3 ETag and size.
type IdenticalObject struct {
	Name string // the object not read
	Of   string // the object read instead
}

// ErrUnreadable is returned by Run with Strict set when an object could
// not be read whole.
var ErrUnreadable = errors.New("ingest: unreadable input")

// Run lists the sources, then decodes their objects with a pool of
// workers, in order of delivery time, and passes the events to the sinks,
// each event once (see Options.NoDedupe). It returns when all objects are
// done, the context is cancelled, or, with Strict, at the first problem.
// An object that cannot be read whole is reported in Result.Problems and
// costs nothing else: the run goes on.
func Run(ctx context.Context, sources []Source, opts Options) (*Result, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.NewSink == nil {
		return nil, errors.New("ingest: Options.NewSink is nil")
	}
	stats := opts.Stats
	if stats == nil {
		stats = new(Stats)
	}
	var jobs []job
	for _, src := range sources {
		err := src.List(ctx, opts.Filter, func(o Object) error {
			jobs = append(jobs, job{src: src, obj: o})
			stats.Objects.Add(1)
			if o.Size > 0 {
				stats.Bytes.Add(o.Size)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: %s: %w", src, err)
		}
	}
	// The plan is made on every object listed, those earlier runs read
	// too: the frontier, the objects identical to others, and a shard's
	// part are the same for a run resumed from a checkpoint.
	frontier := frontiers(jobs)
	if !opts.NoDedupe {
		identical(jobs)
	}
	if opts.Shard.N > 1 {
		jobs = opts.Shard.take(jobs, frontier)
	} else {
		for i := range jobs {
			jobs[i].block(frontier)
		}
	}
	if opts.Known != nil {
		jobs = slices.DeleteFunc(jobs, func(j job) bool {
			skip, _ := opts.Known(ObjectName(j.src, j.obj), j.obj)
			return skip
		})
	}
	if opts.Shard.N > 1 || opts.Known != nil {
		stats.Objects.Store(int64(len(jobs)))
		var b int64
		for _, j := range jobs {
			b += max(j.obj.Size, 0)
		}
		stats.Bytes.Store(b)
	}
	stats.Listed.Store(true)
	if opts.Listed != nil {
		opts.Listed(int(stats.Objects.Load()), stats.Bytes.Load())
	}
	orderJobs(jobs)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu        sync.Mutex
		problems  []*FileError
		notLogs   []*FileError
		identical []IdenticalObject
		next      atomic.Int64
		serial    atomic.Uint32
		wg        sync.WaitGroup
	)
	skip := func(fe *FileError) {
		mu.Lock()
		notLogs = append(notLogs, fe)
		mu.Unlock()
		stats.Skipped.Add(1)
	}
	report := func(fe *FileError) {
		mu.Lock()
		problems = append(problems, fe)
		mu.Unlock()
		stats.Failed.Add(1)
		if opts.Strict {
			cancel(fmt.Errorf("%w: %w", ErrUnreadable, fe))
		}
	}
	same := func(o IdenticalObject) {
		mu.Lock()
		identical = append(identical, o)
		mu.Unlock()
		stats.Identical.Add(1)
	}
	var (
		dd *dedupe
		tw *twins
	)
	if !opts.NoDedupe {
		times := make([]int64, len(jobs))
		for i, j := range jobs {
			times[i] = j.time
		}
		dd = newDedupe(times, opts.MaxDedupeKeys, &stats.Remembered, &stats.Forgotten)
		dd.seed(opts.Seen)
		tw = newTwins(jobs)
	}
	newSink := func(w int) (Sink, uint32) { return opts.NewSink(w), serial.Add(1) }
	cp := newCheckpointer(ctx, &opts, dd, cancel, newSink)
	// Remote objects are fetched ahead of the workers; local ones are
	// opened by the worker that reads them.
	var ahead <-chan *fetched
	if n := prefetchWidth(sources); n > 0 {
		ahead = prefetch(ctx, jobs, n)
	}
	for w := 0; w < opts.Workers; w++ {
		wk := &worker{opts: &opts, stats: stats, report: report, skip: skip, same: same, twins: tw}
		wk.sink, wk.serial = newSink(w)
		if dd != nil {
			wk.dedupe = &dedupeCursor{d: dd}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var f *fetched
				if ahead != nil {
					var ok bool
					if f, ok = <-ahead; !ok {
						return
					}
				} else {
					i := int(next.Add(1) - 1)
					if i >= len(jobs) {
						return
					}
					f = &fetched{job: jobs[i]}
				}
				wk.object(ctx, f)
				stats.Done.Add(1)
				if dd != nil {
					wk.dedupe.flush()
					if cp.finished(wk, f.job.i) {
						dd.finished(f.job.i)
					}
				}
				cp.handOver(w, wk)
			}
		}()
	}
	wg.Wait()
	cp.stop()
	if ahead != nil {
		for f := range ahead { // what was fetched for a run cut short
			f.close()
		}
	}
	byPath := func(a, b *FileError) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(problems, byPath)
	slices.SortFunc(notLogs, byPath)
	slices.SortFunc(identical, func(a, b IdenticalObject) int { return strings.Compare(a.Name, b.Name) })
	res := &Result{Stats: stats.Snapshot(), Problems: problems, NotLogs: notLogs, Identical: identical}
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// ObjectName returns the canonical name of an object: what messages and
// an index's source rows call it, the same however the source was named
// on the command line (see Namer).
func ObjectName(src Source, obj Object) string {
	if n, ok := src.(Namer); ok {
		return n.Name(obj)
	}
	return obj.Key
}

// inWindow applies the filter's time window to a record.
func (f *Filter) inWindow(ev *tailor.Event) bool {
	if !f.Since.IsZero() && ev.Time.Before(f.Since) {
		return false
	}
	return f.Until.IsZero() || ev.Time.Before(f.Until)
}

// matchEvent applies the filter's accounts and regions to a record.
func (f *Filter) matchEvent(ev *tailor.Event) bool {
	if len(f.Accounts) > 0 && !contains(f.Accounts, ev.Account) {
		return false
	}
	if len(f.Regions) > 0 && !contains(f.Regions, ev.Region) {
		return false
	}
	return true
}

// matchPrincipal applies the filter's principals: a record matches by its
// principal, or, for an AssumeRole call, by the role it assumed.
func (f *Filter) matchPrincipal(ev *tailor.Event) bool {
	if len(f.Principals) == 0 {
		return true
	}
	if tailor.MatchAnyGlob(f.Principals, ev.Principal) {
		return true
	}
	return ev.Assumption != nil && tailor.MatchAnyGlob(f.Principals, ev.Assumption.RoleARN)
}

// Tee returns a sink that passes each event to all of sinks, in order.
func Tee(sinks ...Sink) Sink { return tee(sinks) }

type tee []Sink

func (t tee) Add(ev *tailor.Event, selected bool) {
	for _, s := range t {
		s.Add(ev, selected)
	}
}

// AddKeyed passes a keyed event on: as it is to the KeyedSinks, with Add
// to the others.
func (t tee) AddKeyed(ev *tailor.Event, selected bool, key tailor.EventKey, m Mark) {
	for _, s := range t {
		if k, ok := s.(KeyedSink); ok {
			k.AddKeyed(ev, selected, key, m)
		} else {
			s.Add(ev, selected)
		}
	}
}

// ObjectDone passes the report on to the sinks that want it.
func (t tee) ObjectDone(name string, obj Object, read ObjectRead) {
	for _, s := range t {
		if o, ok := s.(ObjectSink); ok {
			o.ObjectDone(name, obj, read)
		}
	}
}

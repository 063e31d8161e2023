package ingest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tailor-sec/tailor"
)

// How a run counts each event once
//
// Copies of an event (an organization trail and an account trail both
// deliver it; a file lies beside its gunzipped twin) share its key
// (tailor.Event.Key), and so its account, region and hour. A run remembers
// the keys of the events it passed on in buckets by (account, region,
// hour) and drops a record whose key a bucket holds. Files are read in
// order of delivery time, and a copy is delivered within MaxDeliveryLag of
// the call, so a bucket is forgotten once every file still to be read was
// delivered more than MaxDeliveryLag after the bucket's hour: memory
// follows the events of a few hours, not of the run.
//
// What lies beyond one run is handed on through the sinks (KeyedSink): the
// keys of events a later run may meet again (Edge), and, in a shard, the
// events another shard may count too (Held), for the merge to count once.

// DefaultMaxDedupeKeys bounds the keys a run remembers at once, about 40
// bytes each. Past it the oldest buckets are forgotten early
// (Stats.Forgotten).
const DefaultMaxDedupeKeys = 4 << 20

// Mark tells a KeyedSink what to keep of an event besides counting it.
type Mark uint8

const (
	// Counted events need nothing more.
	Counted Mark = iota
	// Edge events are counted, and a copy may lie in an object delivered
	// after this run's last (tailor ingest --append tomorrow): keep the
	// key, so that the later run drops the copy.
	Edge
	// Held events are not to be counted yet: a copy may lie in an object
	// another shard reads and counts. Keep the event whole, with its key,
	// for the merge of the shards to count once.
	Held
)

// A KeyedSink is a Sink that keeps what later runs and merges need to
// count every event once. A run passes every event with a key (one with
// an eventID) to AddKeyed instead of Add.
type KeyedSink interface {
	Sink
	AddKeyed(ev *tailor.Event, selected bool, key tailor.EventKey, m Mark)
}

// A Seen is an event a run, or an earlier one, counted: its copies count
// no more. An index keeps them for the runs that append to it.
type Seen struct {
	Key             tailor.EventKey
	Account, Region string
	// Time is the event's time, or a time in its hour.
	Time time.Time
}

// dedupe is a run's memory of the events it passed on. It is safe for
// concurrent use.
type dedupe struct {
	lag int64 // MaxDeliveryLag, in seconds
	max int64 // keys held at most

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	// Completion of the run's jobs, in their order, for the watermark: the
	// delivery time of the first job not done.
	times []int64 // per job: delivery time (Unix s), math.MinInt64 if unknown
	done  []bool
	next  int
	// before is the hour (Unix s) before which buckets are forgotten.
	before int64
	// free holds the emptied maps of forgotten buckets, for new ones: a
	// map grown to an hour's events is reused rather than grown again
	// and left to the collector.
	free []map[tailor.EventKey]uint32

	n         atomic.Int64 // keys held
	peak      *atomic.Int64
	forgotten *atomic.Int64
	shrinking atomic.Bool
}

type bucketKey struct {
	account, region string
	hour            int64 // Unix seconds
}

// A bucket holds the keys of one account, region and hour. Each key maps
// to the serial of the sink that was given the event (0 for an earlier
// run), with heldBit set if the event was held.
type bucket struct {
	key  bucketKey
	mu   sync.Mutex
	keys map[tailor.EventKey]uint32
	gone bool // forgotten: look the bucket up again
}

const heldBit = 1 << 31

func newDedupe(times []int64, max int, peak, forgotten *atomic.Int64) *dedupe {
	if max <= 0 {
		max = DefaultMaxDedupeKeys
	}
	return &dedupe{
		lag: int64(MaxDeliveryLag / time.Second), max: int64(max), buckets: make(map[bucketKey]*bucket),
		times: times, done: make([]bool, len(times)), before: math.MinInt64, peak: peak, forgotten: forgotten,
	}
}

func hourOf(t time.Time) int64 {
	s := t.Unix()
	return s - (s%3600+3600)%3600
}

// bucket returns the bucket of account, region and hour, creating it.
func (d *dedupe) bucket(account, region string, hour int64) *bucket {
	k := bucketKey{account, region, hour}
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.buckets[k]
	if !ok {
		k.account, k.region = strings.Clone(account), strings.Clone(region)
		b = &bucket{key: k}
		if n := len(d.free); n > 0 {
			b.keys, d.free = d.free[n-1], d.free[:n-1]
		} else {
			b.keys = make(map[tailor.EventKey]uint32)
		}
		d.buckets[k] = b
	}
	return b
}

// add records key in b for sink serial owner, and reports false if b
// holds it already: the event is a copy. It reports false, too, when b
// has been forgotten meanwhile, for the caller to look it up again.
func (d *dedupe) add(b *bucket, key tailor.EventKey, owner uint32) (added, ok bool) {
	b.mu.Lock()
	if b.gone {
		b.mu.Unlock()
		return false, false
	}
	if _, dup := b.keys[key]; dup {
		b.mu.Unlock()
		return false, true
	}
	b.keys[key] = owner
	b.mu.Unlock()
	return true, true
}

// grew counts n keys added, and forgets the oldest buckets if the run
// holds too many. Workers count in batches: a counter all of them add to
// for every event would cost more than the rest of the dedupe.
func (d *dedupe) grew(n int64) {
	held := d.n.Add(n)
	for {
		p := d.peak.Load()
		if held <= p || d.peak.CompareAndSwap(p, held) {
			break
		}
	}
	if held > d.max && d.shrinking.CompareAndSwap(false, true) {
		d.shrink()
		d.shrinking.Store(false)
	}
}

// seed records events an earlier run counted.
func (d *dedupe) seed(seen []Seen) {
	for _, s := range seen {
		for {
			b := d.bucket(s.Account, s.Region, hourOf(s.Time))
			if _, ok := d.add(b, s.Key, 0); ok {
				break
			}
		}
	}
	d.grew(int64(len(seen)))
}

// finished records that job i is done, and forgets the buckets no job
// still to be read can hold a copy for.
func (d *dedupe) finished(i int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done[i] = true
	for d.next < len(d.done) && d.done[d.next] {
		d.next++
	}
	if d.next == len(d.done) || d.times[d.next] == math.MinInt64 {
		return // the end, or a job whose records may be of any time
	}
	// Every job left was delivered at or after the watermark, and holds
	// events of at most MaxDeliveryLag before it.
	before := hourOf(time.Unix(d.times[d.next]-d.lag, 0)) // hours before this one are done
	if before <= d.before {
		return
	}
	d.before = before
	for k, b := range d.buckets {
		if k.hour < before {
			d.forget(k, b)
		}
	}
}

// forget drops bucket b. d.mu is held.
func (d *dedupe) forget(k bucketKey, b *bucket) {
	b.mu.Lock()
	b.gone = true
	n := len(b.keys)
	d.n.Add(-int64(n))
	if n <= 1<<16 && len(d.free) < 64 { // a map keeps its room when cleared
		clear(b.keys)
		d.free = append(d.free, b.keys)
	}
	b.keys = nil
	b.mu.Unlock()
	delete(d.buckets, k)
}

// shrink forgets the oldest buckets until a quarter of the keys allowed is
// free, counting the keys it forgets.
func (d *dedupe) shrink() {
	d.mu.Lock()
	defer d.mu.Unlock()
	keys := slices.Collect(func(yield func(bucketKey) bool) {
		for k := range d.buckets {
			if !yield(k) {
				return
			}
		}
	})
	slices.SortFunc(keys, func(a, b bucketKey) int { return cmp.Compare(a.hour, b.hour) })
	for _, k := range keys {
		if d.n.Load() <= d.max*3/4 {
			break
		}
		b := d.buckets[k]
		d.forgotten.Add(int64(len(b.keys)))
		d.forget(k, b)
	}
}

// seenBy returns the events the sinks of serials were given to count
// (not those held) that the run still remembers: what a run resumed from a
// checkpoint of those sinks must not count again.
func (d *dedupe) seenBy(serials map[uint32]bool) []Seen {
	d.mu.Lock()
	buckets := make([]*bucket, 0, len(d.buckets))
	for _, b := range d.buckets {
		buckets = append(buckets, b)
	}
	d.mu.Unlock()
	var out []Seen
	for _, b := range buckets {
		b.mu.Lock()
		for key, owner := range b.keys {
			if owner&heldBit == 0 && serials[owner] {
				out = append(out, Seen{Key: key, Account: b.key.account, Region: b.key.region, Time: time.Unix(b.key.hour, 0).UTC()})
			}
		}
		b.mu.Unlock()
	}
	return out
}

// dedupeCursor is a worker's view of the run's dedupe state: the bucket
// of its last event, which the next one mostly shares.
type dedupeCursor struct {
	d     *dedupe
	last  *bucket
	added int64 // keys added not yet counted in d.n
}

// flush counts in the run's total the keys the cursor added.
func (c *dedupeCursor) flush() {
	if c.added > 0 {
		c.d.grew(c.added)
		c.added = 0
	}
}

// copyOf reports whether ev, with key, is a copy of an event the run has
// passed on; if not, it records it for sink serial owner.
func (c *dedupeCursor) copyOf(ev *tailor.Event, key tailor.EventKey, owner uint32) bool {
	h := hourOf(ev.Time)
	for {
		b := c.last
		if b == nil || b.key.hour != h || b.key.account != ev.Account || b.key.region != ev.Region {
			b = c.d.bucket(ev.Account, ev.Region, h)
			c.last = b
		}
		added, ok := c.d.add(b, key, owner)
		if ok {
			if added {
				if c.added++; c.added == 1024 {
					c.flush()
				}
			}
			return !added
		}
		c.last = nil // forgotten meanwhile
	}
}

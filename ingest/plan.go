package ingest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// A job is one object of a run, with what the plan decided about it.
type job struct {
	src Source
	obj Object
	// i is the job's place in the run's order.
	i int
	// time is the delivery time its key shows (Unix s), or
	// math.MinInt64.
	time int64
	// The job's block of delivery time, [lo, hi) in Unix seconds: an event
	// older than lo may have a copy in another shard's block (Held); one
	// within MaxDeliveryLag of hi may have a copy in a later block or run
	// (Edge). lo is math.MinInt64 and hi math.MaxInt64 where no such copy
	// can be.
	lo, hi int64
	// of names an object this one is identical to (the same S3 ETag and
	// size), which the run reads instead; "" if none.
	of string
}

// place is an account and region of the CloudTrail layout.
type place struct{ account, region string }

// delivered returns the delivery time, account and region a job's key
// shows: the time to the minute from the file name, else the end of the
// delivery day its folder shows. ok is false if the key shows no time or
// no account and region.
func delivered(obj Object) (t int64, p place, ok bool) {
	k, found := ParseLogKey(obj.Key)
	if !found || k.Account == "" || k.Region == "" || (k.Time.IsZero() && k.Day.IsZero()) {
		return math.MinInt64, place{}, false
	}
	if !k.Time.IsZero() {
		return k.Time.Unix(), place{k.Account, k.Region}, true
	}
	return k.Day.Unix() + 86400, place{k.Account, k.Region}, true
}

// frontiers returns, per account and region, the latest delivery time of
// the objects listed: an object not yet delivered can only hold copies of
// events within MaxDeliveryLag before it.
func frontiers(jobs []job) map[place]int64 {
	f := make(map[place]int64)
	for _, j := range jobs {
		if t, p, ok := delivered(j.obj); ok && t > f[p] {
			f[p] = t
		}
	}
	return f
}

// block sets the block of a job of an unsharded run: from the beginning
// of time to its account and region's frontier.
func (j *job) block(frontier map[place]int64) {
	j.lo, j.hi = math.MinInt64, math.MaxInt64
	if t, p, ok := delivered(j.obj); ok {
		j.time, j.hi = t, frontier[p]
	} else {
		j.time = math.MinInt64
	}
}

// identical marks the jobs whose S3 ETag and size equal an earlier one's,
// in the order of their names: the run reads the first only.
func identical(jobs []job) {
	type id struct {
		etag string
		size int64
	}
	first := make(map[id]int)
	order := make([]int, 0, len(jobs))
	for i, j := range jobs {
		if j.obj.ETag != "" {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(jobs[a].obj.Key, jobs[b].obj.Key) })
	for _, i := range order {
		k := id{jobs[i].obj.ETag, jobs[i].obj.Size}
		if f, ok := first[k]; ok {
			jobs[i].of = ObjectName(jobs[f].src, jobs[f].obj)
			continue
		}
		first[k] = i
	}
}

// take returns part K of N of jobs, with their blocks. Objects go to
// shards in units of one account, region and delivery day, which keeps the
// two copies overlapping trails deliver of an event together, unless the
// call was made within MaxDeliveryLag of midnight; a unit larger than half
// a shard's share is cut into hours, for balance. Units go, largest first,
// to the shard with the fewest bytes so far. Objects whose key shows no
// account, region and time are units of their own.
func (s Shard) take(jobs []job, frontier map[place]int64) []job {
	type unit struct {
		id     string // for a stable order
		lo, hi int64
		bytes  int64
		jobs   []int
	}
	type ukey struct {
		p     place
		start int64
	}
	var total int64
	days := make(map[ukey]*unit)
	var units []*unit
	for i, j := range jobs {
		size := max(j.obj.Size, 1)
		total += size
		t, p, ok := delivered(j.obj)
		if !ok {
			units = append(units, &unit{id: "1" + j.obj.Key, lo: math.MinInt64, hi: math.MaxInt64, bytes: size, jobs: []int{i}})
			continue
		}
		// A file delivered at midnight holds the day before's records.
		k := ukey{p, (t - 1) - ((t-1)%86400+86400)%86400}
		u := days[k]
		if u == nil {
			u = &unit{id: "0" + p.account + "/" + p.region + "/" + time.Unix(k.start, 0).UTC().Format(time.RFC3339), lo: k.start, hi: k.start + 86400}
			days[k] = u
		}
		u.bytes += size
		u.jobs = append(u.jobs, i)
	}
	for _, u := range days {
		if u.bytes <= total/int64(2*s.N) {
			units = append(units, u)
			continue
		}
		hours := make(map[int64]*unit)
		for _, i := range u.jobs {
			t, _, _ := delivered(jobs[i].obj)
			h := (t - 1) - ((t-1)%3600+3600)%3600
			hu := hours[h]
			if hu == nil {
				hu = &unit{id: u.id + time.Unix(h, 0).UTC().Format("/15"), lo: h, hi: h + 3600}
				hours[h] = hu
				units = append(units, hu)
			}
			hu.bytes += max(jobs[i].obj.Size, 1)
			hu.jobs = append(hu.jobs, i)
		}
	}
	slices.SortFunc(units, func(a, b *unit) int {
		if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	load := make([]int64, s.N)
	var out []job
	for _, u := range units {
		lightest := 0
		for k := range load {
			if load[k] < load[lightest] {
				lightest = k
			}
		}
		load[lightest] += u.bytes
		if lightest != s.K {
			continue
		}
		for _, i := range u.jobs {
			j := jobs[i]
			j.block(frontier)
			if u.lo != math.MinInt64 {
				j.lo, j.hi = u.lo, min(u.hi, j.hi)
			}
			out = append(out, j)
		}
	}
	return out
}

// orderJobs orders the objects of a run and numbers them. Log files go in
// order of delivery time: a role session's AssumeRole call then mostly
// comes before the calls made with its key, which the usage builders can
// attribute at once instead of holding them until the end, and the run
// can forget the events of hours no file still to be read can hold.
// Objects whose key shows no time come first, largest first, which keeps
// all workers busy.
func orderJobs(jobs []job) {
	slices.SortStableFunc(jobs, func(a, b job) int {
		switch {
		case a.time != b.time:
			return cmp.Compare(a.time, b.time)
		case a.obj.Size != b.obj.Size:
			return cmp.Compare(b.obj.Size, a.obj.Size)
		}
		return strings.Compare(a.obj.Key, b.obj.Key)
	})
	for i := range jobs {
		jobs[i].i = i
	}
}

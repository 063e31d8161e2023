package s3

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

// ListStats counts what List read and chose.
type ListStats struct {
	Requests int64 // LIST requests sent, one per page
	Listed   int64 // object keys the listings returned
	Selected int64 // objects handed to the callback
	// SelectedBytes is the total size of the selected objects.
	SelectedBytes int64
	// SkippedDigest counts CloudTrail-Digest and CloudTrail-Insight files.
	SkippedDigest int64
	// SkippedNotLog counts keys that are not log files: folder markers,
	// other extensions, files between the layout's folders.
	SkippedNotLog int64
	// SkippedFiltered counts log files the filter rules out by account,
	// region or delivery time.
	SkippedFiltered int64
}

type counters struct {
	requests, listed, selected, selectedBytes   atomic.Int64
	skippedDigest, skippedNotLog, skippedFilter atomic.Int64
}

// ListStats returns the counts of the latest List call. It is safe to call
// while List runs, to show progress.
func (s *Source) ListStats() ListStats {
	c := &s.stats
	return ListStats{
		Requests:        c.requests.Load(),
		Listed:          c.listed.Load(),
		Selected:        c.selected.Load(),
		SelectedBytes:   c.selectedBytes.Load(),
		SkippedDigest:   c.skippedDigest.Load(),
		SkippedNotLog:   c.skippedNotLog.Load(),
		SkippedFiltered: c.skippedFilter.Load(),
	}
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{&c.requests, &c.listed, &c.selected, &c.selectedBytes,
		&c.skippedDigest, &c.skippedNotLog, &c.skippedFilter} {
		v.Store(0)
	}
}

// level is what a node's prefix is in the CloudTrail layout.
type level int

const (
	levelAWSLogs level = iota // .../AWSLogs/: organization ids and accounts
	levelOrg                  // .../AWSLogs/o-xxx/: accounts
	levelAccount              // .../AWSLogs/[o-xxx/]<account>/
	levelTrail                // .../<account>/CloudTrail/: regions
	levelRegion               // .../CloudTrail/<region>/: years
	levelYear                 // .../<region>/<yyyy>/: months
	levelMonth                // .../<yyyy>/<mm>/: days
	levelDay                  // .../<mm>/<dd>/: log files
)

// maxEnumeratedDays is the longest window whose days List names directly
// instead of discovering years and months with delimiter listings. Naming
// costs one LIST per day, present or not; discovery costs one per region,
// year and month besides the days present. Up to about three months the
// first is cheaper for a populated archive and not much dearer for a
// sparse one.
const maxEnumeratedDays = 93

// List calls fn for each object under the source that f may select, in
// key order. See the package documentation for how it prunes. Listing
// errors name the bucket and prefix; an error from fn stops List and is
// returned as is.
func (s *Source) List(ctx context.Context, f ingest.Filter, fn func(ingest.Object) error) error {
	s.stats.reset()
	root, ok := planRoot(s.prefix)
	if !ok {
		s.log.Debug("s3: prefix is not in the CloudTrail layout: listing everything under it", "source", s.String())
		return s.listRecursive(ctx, s.prefix, &f, fn)
	}
	if !allows(&f, root) {
		return nil
	}
	emit := func(o ingest.Object) error {
		s.stats.selected.Add(1)
		s.stats.selectedBytes.Add(o.Size)
		return fn(o)
	}
	if !strings.Contains("/"+s.prefix, "/AWSLogs/") {
		// Is there an AWSLogs folder? Its listing is the walk's first step
		// anyway; finding nothing at all there means another layout.
		dirs, objects, err := s.listDirs(ctx, root.prefix)
		if err != nil {
			return err
		}
		if len(dirs) == 0 && objects == 0 {
			s.log.Debug("s3: no AWSLogs/ folder under the prefix: listing everything under it", "source", s.String())
			return s.listRecursive(ctx, s.prefix, &f, fn)
		}
		root.dirs, root.listed = dirs, true
	}
	return walk(ctx, root, s.lists, 4*s.lists, s.expandFunc(&f), emit)
}

func (s *Source) expandFunc(f *ingest.Filter) expandFunc {
	return func(ctx context.Context, n *node) ([]item, error) { return s.expand(ctx, f, n) }
}

// planRoot tells where the prefix stands in the CloudTrail layout. A
// prefix above the layout gives an AWSLogs/ node below it; a prefix in the
// layout gives the node of its level, with the parts it fixes; a prefix
// that is not a folder, or below a day or outside CloudTrail's folders
// (CloudTrail-Digest/, another service's logs), reports false.
func planRoot(prefix string) (*node, bool) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		return nil, false
	}
	segs := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
	if prefix == "" {
		segs = nil
	}
	at := slices.Index(segs, "AWSLogs")
	if at < 0 {
		return &node{prefix: prefix + "AWSLogs/", level: levelAWSLogs}, true
	}
	n := &node{prefix: prefix, level: levelAWSLogs}
	rest := segs[at+1:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
		n.org, n.level, rest = rest[0], levelOrg, rest[1:]
	}
	steps := []struct {
		level level
		ok    func(string) bool
		set   func(string)
	}{
		{levelAccount, tailor.IsAccountID, func(v string) { n.account = v }},
		{levelTrail, func(v string) bool { return v == "CloudTrail" }, func(string) {}},
		{levelRegion, func(v string) bool { return v != "" }, func(v string) { n.region = v }},
		{levelYear, func(v string) bool { return parseNum(v, 4) > 0 }, func(v string) { n.year = parseNum(v, 4) }},
		{levelMonth, func(v string) bool { m := parseNum(v, 2); return m >= 1 && m <= 12 }, func(v string) { n.month = parseNum(v, 2) }},
		{levelDay, func(v string) bool { d := parseNum(v, 2); return d >= 1 && d <= 31 }, func(string) {}},
	}
	for i, v := range rest {
		if i >= len(steps) || !steps[i].ok(v) {
			return nil, false
		}
		steps[i].set(v)
		n.level = steps[i].level
	}
	if n.level == levelDay {
		d, err := time.Parse("2006/01/02", strings.Join(rest[len(rest)-3:], "/"))
		if err != nil {
			return nil, false
		}
		n.year, n.month = d.Year(), int(d.Month())
	}
	return n, true
}

// allows reports whether the filter lets anything under n through.
func allows(f *ingest.Filter, n *node) bool {
	if n.account != "" && len(f.Accounts) > 0 && !slices.Contains(f.Accounts, n.account) {
		return false
	}
	if n.region != "" && len(f.Regions) > 0 && !slices.Contains(f.Regions, n.region) {
		return false
	}
	switch n.level {
	case levelYear:
		from := time.Date(n.year, 1, 1, 0, 0, 0, 0, time.UTC)
		return daysMatch(f, from, from.AddDate(1, 0, 0))
	case levelMonth:
		from := time.Date(n.year, time.Month(n.month), 1, 0, 0, 0, 0, time.UTC)
		return daysMatch(f, from, from.AddDate(0, 1, 0))
	case levelDay:
		if d, ok := dayOf(n.prefix); ok {
			return daysMatch(f, d, d.AddDate(0, 0, 1))
		}
	}
	return true
}

// daysMatch reports whether the day folders from the day starting at from
// up to the one before to (UTC midnights) may hold files the filter
// selects. A day folder holds the files delivered that day, and
// Filter.MatchKey selects a file delivered at t when Since <= t and
// t - ingest.MaxDeliveryLag < Until: so some t in [from, to) must lie in
// [Since, Until + MaxDeliveryLag).
func daysMatch(f *ingest.Filter, from, to time.Time) bool {
	if !f.Since.IsZero() && f.Since.After(from) {
		from = f.Since
	}
	if !f.Until.IsZero() {
		if end := f.Until.Add(ingest.MaxDeliveryLag); end.Before(to) {
			to = end
		}
	}
	return from.Before(to)
}

// dayOf reads the day from a prefix ending in yyyy/mm/dd/.
func dayOf(prefix string) (time.Time, bool) {
	p := strings.TrimSuffix(prefix, "/")
	if len(p) < 10 {
		return time.Time{}, false
	}
	d, err := time.Parse("2006/01/02", p[len(p)-10:])
	return d, err == nil
}

// expand lists one node, or builds its children from the filter when that
// fixes them, and returns the children the filter allows and, for days,
// the selected objects.
func (s *Source) expand(ctx context.Context, f *ingest.Filter, n *node) ([]item, error) {
	child := func(prefix string, lv level) *node {
		c := *n
		c.prefix, c.level = prefix, lv
		c.dirs, c.listed, c.done, c.items, c.err = nil, false, nil, nil, nil
		return &c
	}
	var kids []*node
	add := func(c *node) {
		if allows(f, c) {
			kids = append(kids, c)
		}
	}
	switch n.level {
	case levelAWSLogs:
		dirs, err := s.dirsOf(ctx, n)
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			switch {
			case strings.HasPrefix(d, "o-"):
				c := child(n.prefix+d+"/", levelOrg)
				c.org = d
				add(c)
			case tailor.IsAccountID(d):
				c := child(n.prefix+d+"/", levelAccount)
				c.account = d
				add(c)
			}
		}
	case levelOrg:
		accounts := sortedCopy(f.Accounts)
		if len(accounts) == 0 {
			dirs, err := s.dirsOf(ctx, n)
			if err != nil {
				return nil, err
			}
			accounts = dirs
		}
		for _, a := range accounts {
			if tailor.IsAccountID(a) {
				c := child(n.prefix+a+"/", levelAccount)
				c.account = a
				add(c)
			}
		}
	case levelAccount:
		add(child(n.prefix+"CloudTrail/", levelTrail))
	case levelTrail:
		// Naming the filter's regions saves the listing of CloudTrail/ but
		// costs a LIST per day for a region the account does not use:
		// worth it for a day or two only.
		regions := sortedCopy(f.Regions)
		if days, ok := enumerateDays(f); len(regions) == 0 || !ok || len(days) > 2 {
			dirs, err := s.dirsOf(ctx, n)
			if err != nil {
				return nil, err
			}
			regions = dirs
		}
		for _, r := range regions {
			c := child(n.prefix+r+"/", levelRegion)
			c.region = r
			add(c)
		}
	case levelRegion:
		if days, ok := enumerateDays(f); ok {
			for _, d := range days {
				c := child(n.prefix+d.Format("2006/01/02")+"/", levelDay)
				c.year, c.month = d.Year(), int(d.Month())
				add(c)
			}
			break
		}
		if err := s.listNumbered(ctx, n, 4, levelYear, child, add); err != nil {
			return nil, err
		}
	case levelYear:
		if err := s.listNumbered(ctx, n, 2, levelMonth, child, add); err != nil {
			return nil, err
		}
	case levelMonth:
		if err := s.listNumbered(ctx, n, 2, levelDay, child, add); err != nil {
			return nil, err
		}
	case levelDay:
		var items []item
		err := s.listObjects(ctx, n.prefix, f, func(o ingest.Object) error {
			items = append(items, item{obj: o})
			return nil
		})
		return items, err
	}
	items := make([]item, len(kids))
	for i, k := range kids {
		items[i] = item{node: k}
	}
	return items, nil
}

// listNumbered lists the folders of n named by numbers of width digits
// (years, months, days) and adds them as children of level lv.
func (s *Source) listNumbered(ctx context.Context, n *node, width int, lv level,
	child func(string, level) *node, add func(*node)) error {
	dirs, err := s.dirsOf(ctx, n)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		v := parseNum(d, width)
		if v <= 0 {
			continue
		}
		c := child(n.prefix+d+"/", lv)
		switch lv {
		case levelYear:
			c.year = v
		case levelMonth:
			if v > 12 {
				continue
			}
			c.month = v
		case levelDay:
			if _, ok := dayOf(c.prefix); !ok {
				continue
			}
		}
		add(c)
	}
	return nil
}

// enumerateDays returns the day folders that may hold selected files when
// the window has both ends and spans at most maxEnumeratedDays.
func enumerateDays(f *ingest.Filter) ([]time.Time, bool) {
	if f.Since.IsZero() || f.Until.IsZero() || !f.Since.Before(f.Until) {
		return nil, false
	}
	first := f.Since.UTC().Truncate(24 * time.Hour)
	last := f.Until.UTC().Add(ingest.MaxDeliveryLag).Truncate(24 * time.Hour)
	if last.Sub(first) > maxEnumeratedDays*24*time.Hour {
		return nil, false
	}
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if daysMatch(f, d, d.AddDate(0, 0, 1)) {
			days = append(days, d)
		}
	}
	return days, true
}

// listDirs returns the names of the folders one level under prefix,
// without the trailing "/", and how many objects lie at that level: those
// are counted as listed and skipped.
func (s *Source) listDirs(ctx context.Context, prefix string) (dirs []string, objects int, err error) {
	err = s.pages(ctx, prefix, "/", func(out *awss3.ListObjectsV2Output) error {
		for _, p := range out.CommonPrefixes {
			d := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(p.Prefix), prefix), "/")
			if d != "" {
				dirs = append(dirs, d)
			}
		}
		objects += len(out.Contents)
		s.stats.listed.Add(int64(len(out.Contents)))
		s.stats.skippedNotLog.Add(int64(len(out.Contents)))
		return nil
	})
	return dirs, objects, err
}

// dirsOf returns n's folders: those List listed for it already, or a
// fresh listing.
func (s *Source) dirsOf(ctx context.Context, n *node) ([]string, error) {
	if n.listed {
		return n.dirs, nil
	}
	dirs, _, err := s.listDirs(ctx, n.prefix)
	return dirs, err
}

// listObjects lists every key under prefix and calls fn for those f
// selects, in key order.
func (s *Source) listObjects(ctx context.Context, prefix string, f *ingest.Filter, fn func(ingest.Object) error) error {
	return s.pages(ctx, prefix, "", func(out *awss3.ListObjectsV2Output) error {
		s.stats.listed.Add(int64(len(out.Contents)))
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			if !s.choose(f, key) {
				continue
			}
			obj := ingest.Object{Key: key, Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)}
			if err := fn(obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// listRecursive is List for a prefix outside the layout.
func (s *Source) listRecursive(ctx context.Context, prefix string, f *ingest.Filter, fn func(ingest.Object) error) error {
	return s.listObjects(ctx, prefix, f, func(o ingest.Object) error {
		s.stats.selected.Add(1)
		s.stats.selectedBytes.Add(o.Size)
		return fn(o)
	})
}

// choose reports whether the key is a log file f may select, counting it
// as selected-to-be or skipped.
func (s *Source) choose(f *ingest.Filter, key string) bool {
	if strings.HasSuffix(key, "/") || !isLogName(key) {
		s.stats.skippedNotLog.Add(1)
		return false
	}
	lk, ok := ingest.ParseLogKey(key)
	switch {
	case ok && (lk.Digest || lk.Insight):
		s.stats.skippedDigest.Add(1)
		return false
	case ok && !f.MatchKey(lk):
		s.stats.skippedFilter.Add(1)
		return false
	}
	return true
}

// pages sends ListObjectsV2 for prefix and delimiter and calls fn with
// each page.
func (s *Source) pages(ctx context.Context, prefix, delimiter string, fn func(*awss3.ListObjectsV2Output) error) error {
	in := &awss3.ListObjectsV2Input{
		Bucket:       aws.String(s.bucket),
		Prefix:       aws.String(prefix),
		RequestPayer: s.payer,
	}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	if prefix == "" {
		in.Prefix = nil
	}
	for {
		s.stats.requests.Add(1)
		out, err := s.client.ListObjectsV2(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return s.opError("list", prefix, err)
		}
		if err := fn(out); err != nil {
			return err
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

func sortedCopy(v []string) []string {
	c := slices.Clone(v)
	slices.Sort(c)
	return slices.Compact(c)
}

// parseNum parses a folder name of exactly width digits, or returns -1.
func parseNum(s string, width int) int {
	if len(s) != width {
		return -1
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return -1
	}
	return v
}

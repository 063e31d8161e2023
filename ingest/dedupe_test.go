package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

// trail writes, under dir, one delivery file every 5 minutes for hours
// hours, each with n records of the 5 minutes before its delivery, in the
// layout of trail org ("" for an account trail). The records' ids depend
// on their time and place only: two trails written alike hold the same
// events.
func trail(t *testing.T, dir, org string, hours, n int) int {
	t.Helper()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	files := 0
	for T := start.Add(5 * time.Minute); T.Before(start.Add(time.Duration(hours) * time.Hour)); T = T.Add(5 * time.Minute) {
		var recs []string
		for i := range n {
			at := T.Add(-5*time.Minute + time.Duration(i)*time.Second)
			recs = append(recs, `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},"eventTime":"`+
				at.Format(time.RFC3339)+`","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"`+
				fmt.Sprintf("%08x-0000-4000-8000-%012d", at.Unix(), i)+`"}`)
		}
		if org == "" {
			slices.Reverse(recs) // batched otherwise: not an identical file
		}
		layout := "AWSLogs/"
		if org != "" {
			layout += org + "/"
		}
		// The account trail delivers a minute later, in other files.
		d := T
		if org == "" {
			d = T.Add(time.Minute)
		}
		name := filepath.Join(dir, layout+"111122223333/CloudTrail/us-east-1", d.Format("2006/01/02"),
			"111122223333_CloudTrail_us-east-1_"+d.Format("20060102T1504Z")+"_"+org+"x.json")
		writeFile(t, name, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`))
		files++
	}
	return files
}

// TestDedupeBounded: a run over two days of overlapping trails counts each
// event once while remembering the keys of a few hours only.
func TestDedupeBounded(t *testing.T) {
	dir := t.TempDir()
	const hours, n = 48, 20
	files := trail(t, dir, "o-a1b2c3d4e5", hours, n)
	trail(t, dir, "", hours, n)
	total := int64(files * n)
	for _, workers := range []int{1, 2} {
		var events atomic.Int64
		res, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
			Workers: workers,
			NewSink: func(int) ingest.Sink {
				return sinkFunc(func(*tailor.Event, bool) { events.Add(1) })
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := events.Load(); got != total {
			t.Errorf("%d workers: %d events passed on, want %d", workers, got, total)
		}
		if res.Stats.Duplicates != total {
			t.Errorf("%d workers: %d copies dropped, want %d", workers, res.Stats.Duplicates, total)
		}
		if res.Stats.Forgotten != 0 {
			t.Errorf("%d workers: forgot %d keys early", workers, res.Stats.Forgotten)
		}
		if workers > 1 {
			// A worker may go on while the other waits for a core, further
			// than a file of real size allows: the bound is one worker's.
			continue
		}
		// An hour holds 240 events; the run may remember the hour of the
		// files it reads, the MaxDeliveryLag before it and the hour the
		// watermark is in.
		perHour := int64(12 * n)
		if limit := perHour * int64(MaxDeliveryLagHours+2); res.Stats.Remembered > limit {
			t.Errorf("remembered %d keys at once, want at most %d of %d", res.Stats.Remembered, limit, total)
		}
	}
}

// MaxDeliveryLagHours is ingest.MaxDeliveryLag in hours.
const MaxDeliveryLagHours = int(ingest.MaxDeliveryLag / time.Hour)

// TestDedupeCap: past MaxDedupeKeys a run forgets the oldest keys and says
// so; what it forgot can count twice, nothing is lost.
func TestDedupeCap(t *testing.T) {
	dir := t.TempDir()
	// Files whose names show no time: the run must remember all their keys.
	for i := range 20 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("export-%02d.json", i)), []byte(deliveryRecords(i, 50)))
	}
	var events atomic.Int64
	res, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
		Workers:       1,
		MaxDedupeKeys: 200,
		NewSink:       func(int) ingest.Sink { return sinkFunc(func(*tailor.Event, bool) { events.Add(1) }) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Forgotten == 0 || res.Stats.Remembered > 200+1024 {
		t.Errorf("stats = %+v: want keys forgotten, and at most about 200 remembered", res.Stats)
	}
	if events.Load() != 1000 {
		t.Errorf("%d events passed on, want all 1000 (none are copies)", events.Load())
	}
}

// deliveryRecords is a delivery file of n distinct records, each an hour
// after the one before, with ids of file f.
func deliveryRecords(f, n int) string {
	var recs []string
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f*n) * time.Hour)
	for i := range n {
		recs = append(recs, `{"eventTime":"`+start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339)+
			`","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"`+
			fmt.Sprintf("f%07d-0000-4000-8000-%012d", f, i)+`","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"}}`)
	}
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}

// etagSource is a remote source of objects with ETags, fetched ahead, that
// counts its GETs.
type etagSource struct {
	objs map[string][]byte
	tags map[string]string
	gets atomic.Int64
}

func (s *etagSource) String() string              { return "s3://bucket" }
func (s *etagSource) Prefetch() int               { return 2 }
func (s *etagSource) Name(o ingest.Object) string { return "s3://bucket/" + o.Key }
func (s *etagSource) List(_ context.Context, _ ingest.Filter, fn func(ingest.Object) error) error {
	for _, k := range slices.Sorted(maps.Keys(s.objs)) {
		if err := fn(ingest.Object{Key: k, Size: int64(len(s.objs[k])), ETag: s.tags[k]}); err != nil {
			return err
		}
	}
	return nil
}
func (s *etagSource) Open(_ context.Context, o ingest.Object) (io.ReadCloser, error) {
	s.gets.Add(1)
	return io.NopCloser(bytes.NewReader(s.objs[o.Key])), nil
}

// TestIdenticalETags: S3 objects with the same ETag and size are fetched
// once, and the run names the one it did not fetch.
func TestIdenticalETags(t *testing.T) {
	a := []byte(deliveryRecords(1, 30))
	src := &etagSource{
		objs: map[string][]byte{"logs/a.json": a, "backup/a.json": a, "logs/b.json": []byte(deliveryRecords(2, 10))},
		tags: map[string]string{"logs/a.json": `"e1"`, "backup/a.json": `"e1"`, "logs/b.json": `"e2"`},
	}
	var events atomic.Int64
	res, err := ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{
		Workers: 2,
		NewSink: func(int) ingest.Sink { return sinkFunc(func(*tailor.Event, bool) { events.Add(1) }) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := src.gets.Load(); n != 2 {
		t.Errorf("%d GETs, want 2", n)
	}
	want := []ingest.IdenticalObject{{Name: "s3://bucket/logs/a.json", Of: "s3://bucket/backup/a.json"}}
	if !slices.Equal(res.Identical, want) || events.Load() != 40 || res.Stats.Identical != 1 {
		t.Errorf("identical %+v, %d events, stats %+v; want %+v and 40 events", res.Identical, events.Load(), res.Stats, want)
	}
}

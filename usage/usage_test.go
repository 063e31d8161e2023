package usage_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/usage"
)

const (
	own    = "111122223333"
	vendor = "444455556666"
)

// world generates events of a small account: users, a role assumed by a
// vendor and by the account itself, S3 objects enough to fold.
type world struct {
	r    *rand.Rand
	keys int // access keys issued
	day  time.Time
}

func (w *world) event() []*tailor.Event {
	t := w.day.Add(time.Duration(w.r.IntN(3*86400)) * time.Second)
	base := tailor.Event{Time: t, Account: own, Region: []string{"us-east-1", "eu-west-1"}[w.r.IntN(2)]}
	switch w.r.IntN(4) {
	case 0: // an IAM user
		ev := base
		ev.Principal, ev.PrincipalType, ev.CallerAccount = "arn:aws:iam::"+own+":user/u"+fmt.Sprint(w.r.IntN(3)), tailor.IdentityIAMUser, own
		ev.EventSource, ev.EventName = "ec2.amazonaws.com", []string{"DescribeInstances", "StopInstances"}[w.r.IntN(2)]
		if w.r.IntN(5) == 0 {
			ev.ErrorCode = []string{"AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException"}[w.r.IntN(3)]
		}
		return []*tailor.Event{&ev}
	default: // a role session: AssumeRole, then calls with its key
		w.keys++
		akid := fmt.Sprintf("ASIA%016d", w.keys)
		caller := []string{vendor, own}[w.r.IntN(2)]
		role := "arn:aws:iam::" + own + ":role/Vendor"
		as := base
		as.Principal, as.PrincipalType, as.CallerAccount = "arn:aws:iam::"+caller+":root", tailor.IdentityAWSAccount, caller
		as.EventSource, as.EventName = "sts.amazonaws.com", "AssumeRole"
		as.Resources = []string{role}
		as.Assumption = &tailor.Assumption{RoleARN: role, AccessKeyID: akid, CallerAccount: caller, SessionName: "s"}
		out := []*tailor.Event{&as}
		for n := w.r.IntN(6); n >= 0; n-- {
			ev := base
			ev.Time = t.Add(time.Duration(w.r.IntN(3600)) * time.Second)
			ev.Principal, ev.PrincipalType, ev.AccessKeyID = role, tailor.IdentityAssumedRole, akid
			ev.EventSource, ev.EventName, ev.Data = "s3.amazonaws.com", "GetObject", true
			ev.Resources = []string{"arn:aws:s3:::data", fmt.Sprintf("arn:aws:s3:::data/d%d/o%d", w.r.IntN(8), w.r.IntN(60))}
			out = append(out, &ev)
		}
		if w.r.IntN(4) == 0 {
			out = out[1:] // the AssumeRole call is outside the logs read
		}
		return out
	}
}

func events(seed uint64, n int) []*tailor.Event {
	w := &world{r: rand.New(rand.NewPCG(seed, 1)), day: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	var out []*tailor.Event
	for len(out) < n {
		out = append(out, w.event()...)
	}
	return out
}

func build(t *testing.T, evs []*tailor.Event, partial bool, workers int, r *rand.Rand) *usage.Index {
	t.Helper()
	s := usage.NewSessions()
	bs := make([]*usage.Builder, workers)
	for i := range bs {
		bs[i] = usage.NewBuilder(usage.BuilderOptions{FoldThreshold: 20, Sessions: s})
	}
	for _, ev := range evs {
		bs[r.IntN(workers)].Add(ev, true)
	}
	return usage.Finish(usage.Meta{Partial: partial}, bs...)
}

// dump renders rows as text, sketches included through Parquet bytes.
func dump(t *testing.T, ix *usage.Index) string {
	t.Helper()
	var b strings.Builder
	for _, r := range ix.Rows() {
		fmt.Fprintf(&b, "%s %s %s %s %s %s %s %s %s %s %q calls=%d denied=%d errors=%d %s %s data=%v folded=%d type=%s\n",
			r.Kind, r.Day.Format("2006-01-02"), r.Account, r.Principal, r.CallerAccount, r.EventSource, r.EventName,
			r.Resource, r.Region, r.Session, r.RequestParams, r.Calls, r.Denied, r.Errors,
			r.FirstSeen.Format(time.RFC3339), r.LastSeen.Format(time.RFC3339), r.Data, r.Folded, r.PrincipalType)
	}
	return b.String()
}

func parquetBytes(t *testing.T, ix *usage.Index) []byte {
	t.Helper()
	ix.Meta.Created = time.Time{}
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMergeEqualsUnion: the merge of the indexes of disjoint inputs equals
// the index of their union — whatever the split, the order, the number of
// workers, and with sessions whose AssumeRole lies in another part.
func TestMergeEqualsUnion(t *testing.T) {
	evs := events(1, 3000)
	r := rand.New(rand.NewPCG(2, 2))
	whole := build(t, evs, false, 1, r)
	want := dump(t, whole)
	if !strings.Contains(want, "folded=") || !strings.Contains(want, "caller") && !strings.Contains(want, vendor) {
		t.Fatal("test world lacks folding or vendor sessions")
	}
	for _, parts := range []int{2, 3, 7} {
		t.Run(fmt.Sprintf("%d parts", parts), func(t *testing.T) {
			split := make([][]*tailor.Event, parts)
			for _, i := range r.Perm(len(evs)) { // any order, any part
				k := r.IntN(parts)
				split[k] = append(split[k], evs[i])
			}
			var idx []*usage.Index
			for _, p := range split {
				idx = append(idx, build(t, p, true, 1+r.IntN(3), r))
			}
			merged, err := usage.Merge(false, idx...)
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(t, merged); got != want {
				t.Fatalf("merge differs from the union:\n%s", diffLines(got, want))
			}
			if !bytes.Equal(parquetBytes(t, merged), parquetBytes(t, whole)) {
				t.Error("Parquet bytes of the merge differ from those of the union (sketches?)")
			}
		})
	}
}

func diffLines(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	gs := map[string]bool{}
	for _, l := range g {
		gs[l] = true
	}
	ws := map[string]bool{}
	for _, l := range w {
		ws[l] = true
	}
	var b strings.Builder
	n := 0
	for _, l := range g {
		if !ws[l] && n < 10 {
			fmt.Fprintf(&b, "+ %s\n", l)
			n++
		}
	}
	for _, l := range w {
		if !gs[l] && n < 20 {
			fmt.Fprintf(&b, "- %s\n", l)
			n++
		}
	}
	return b.String()
}

// TestSessions: calls with a role session's key belong to the account
// that assumed the role, whichever comes first; a session of the role's
// own account and an unknown session have no caller account.
func TestSessions(t *testing.T) {
	role := "arn:aws:iam::" + own + ":role/Vendor"
	day := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	call := func(akid string) *tailor.Event {
		return &tailor.Event{Time: day, Account: own, Principal: role, PrincipalType: tailor.IdentityAssumedRole,
			AccessKeyID: akid, EventSource: "ec2.amazonaws.com", EventName: "DescribeRegions", Region: "us-east-1"}
	}
	assume := func(akid, caller string) *tailor.Event {
		return &tailor.Event{Time: day, Account: own, Principal: "arn:aws:iam::" + caller + ":root",
			PrincipalType: tailor.IdentityAWSAccount, CallerAccount: caller, EventSource: "sts.amazonaws.com",
			EventName: "AssumeRole", Region: "us-east-1",
			Assumption: &tailor.Assumption{RoleARN: role, AccessKeyID: akid, CallerAccount: caller}}
	}
	b := usage.NewBuilder(usage.BuilderOptions{})
	b.Add(call("ASIA1"), true) // before its AssumeRole
	b.Add(assume("ASIA1", vendor), false)
	b.Add(assume("ASIA2", own), false)
	b.Add(call("ASIA2"), true)
	b.Add(call("ASIA3"), true) // never assumed in these logs
	ix := usage.Finish(usage.Meta{}, b)
	got := map[string]int64{}
	for _, r := range ix.Select(usage.Query{Principals: []string{role}}) {
		got[r.CallerAccount] += r.Calls
	}
	if got[vendor] != 1 || got[""] != 2 || len(got) != 2 {
		t.Errorf("calls by caller account = %v, want %s:1 and (own or unknown):2", got, vendor)
	}
	sessions := ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindSession}})
	if len(sessions) != 1 || sessions[0].Session != "ASIA1" || sessions[0].CallerAccount != vendor {
		t.Errorf("session rows = %+v, want the vendor's one", sessions)
	}
	// A partial index keeps the unknown session's rows for a later merge.
	b = usage.NewBuilder(usage.BuilderOptions{})
	b.Add(call("ASIA3"), true)
	part := usage.Finish(usage.Meta{Partial: true}, b)
	if p := part.Select(usage.Query{Kinds: []usage.Kind{usage.KindPending}}); len(p) != 1 || p[0].Session != "ASIA3" {
		t.Errorf("pending rows = %+v", p)
	}
	b = usage.NewBuilder(usage.BuilderOptions{})
	b.Add(assume("ASIA3", vendor), false)
	other := usage.Finish(usage.Meta{Partial: true}, b)
	m, err := usage.Merge(false, part, other)
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Select(usage.Query{Principals: []string{role}}); len(r) != 1 || r[0].CallerAccount != vendor {
		t.Errorf("merged rows = %+v, want the call attributed to %s", r, vendor)
	}
}

// TestFold: past the threshold, object ARNs fold into their prefixes,
// then into the bucket; the row keeps how many distinct objects it holds.
func TestFold(t *testing.T) {
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	add := func(b *usage.Builder, res string) {
		b.Add(&tailor.Event{Time: day, Account: own, Principal: "p", EventSource: "s3.amazonaws.com",
			EventName: "GetObject", Region: "us-east-1", Resources: []string{res}}, true)
	}
	b := usage.NewBuilder(usage.BuilderOptions{FoldThreshold: 10})
	for i := 0; i < 10; i++ {
		add(b, fmt.Sprintf("arn:aws:s3:::b/logs/%d.gz", i))
	}
	if got := len(usage.Finish(usage.Meta{}, b).Select(usage.Query{})); got != 11 {
		t.Fatalf("at the threshold: %d rows, want 10 objects and the total", got)
	}
	b = usage.NewBuilder(usage.BuilderOptions{FoldThreshold: 10})
	for i := 0; i < 500; i++ {
		add(b, fmt.Sprintf("arn:aws:s3:::b/logs/%d.gz", i))
		add(b, fmt.Sprintf("arn:aws:s3:::b/logs/%d.gz", i)) // twice: distinct count stays 500
	}
	rows := usage.Finish(usage.Meta{}, b).Select(usage.Query{})
	if len(rows) != 2 || rows[1].Resource != "arn:aws:s3:::b/logs/*" || rows[1].Calls != 1000 {
		t.Fatalf("folded rows = %v", resources(rows))
	}
	if f := rows[1].Folded; f < 475 || f > 525 {
		t.Errorf("folded count = %d, want about 500", f)
	}
	// Many prefixes fold on into the bucket.
	b = usage.NewBuilder(usage.BuilderOptions{FoldThreshold: 10})
	for i := 0; i < 300; i++ {
		add(b, fmt.Sprintf("arn:aws:s3:::b/d%d/x/%d", i, i))
	}
	add(b, "arn:aws:s3:::b")
	rows = usage.Finish(usage.Meta{}, b).Select(usage.Query{})
	got := resources(rows)
	if strings.Join(got, " ") != " arn:aws:s3:::b arn:aws:s3:::b/*" {
		t.Fatalf("level-2 fold rows = %q", got)
	}
	if f := rows[2].Folded; f < 280 || f > 320 {
		t.Errorf("folded count = %d, want about 300", f)
	}
}

func resources(rows []*usage.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Resource)
	}
	return out
}

func TestParquetRoundTrip(t *testing.T) {
	ix := build(t, events(3, 2000), true, 2, rand.New(rand.NewPCG(3, 3)))
	ix.Meta.Since = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ix.Meta.Principals = []string{"*"}
	path := filepath.Join(t.TempDir(), "usage.parquet")
	if err := ix.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := usage.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, back), dump(t, ix); got != want {
		t.Fatalf("read back differs:\n%s", diffLines(got, want))
	}
	if !back.Meta.Since.Equal(ix.Meta.Since) || !back.Meta.Partial || back.Meta.FoldThreshold != 20 || back.Meta.SchemaVersion != usage.SchemaVersion {
		t.Errorf("meta = %+v", back.Meta)
	}
	if !bytes.Equal(parquetBytes(t, back), parquetBytes(t, ix)) {
		t.Error("rewriting the read index changes its bytes")
	}
}

func TestReadBadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.parquet")
	os.WriteFile(p, []byte("not parquet at all"), 0o644)
	if _, err := usage.ReadFile(p); !errors.Is(err, usage.ErrFormat) || !strings.Contains(err.Error(), p) {
		t.Errorf("err = %v, want ErrFormat naming the file", err)
	}
	if _, err := usage.ReadFile(filepath.Join(dir, "missing.parquet")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not exist", err)
	}
}

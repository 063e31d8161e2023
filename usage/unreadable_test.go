package usage_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/usage"
)

// TestUnreadable: the sources that could not be read whole come back from
// the index, with the account, region and day their keys show, through a
// round trip to Parquet and a merge.
func TestUnreadable(t *testing.T) {
	b := usage.NewBuilder(usage.BuilderOptions{})
	day := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	b.AddSource(usage.Source{Name: "logs/b.json.gz", Day: day, Time: day.Add(time.Hour), Account: "111122223333", Region: "eu-west-1", Records: 7, Failed: true})
	b.AddSource(usage.Source{Name: "logs/whole.json.gz", Day: day, Account: "111122223333", Region: "eu-west-1", Records: 9})
	b.AddSource(usage.Source{Name: "stdin.json", Records: 0, Failed: true})
	ix := usage.Finish(usage.Meta{}, b)
	want := []usage.UnreadableSource{
		{File: "logs/b.json.gz", Account: "111122223333", Region: "eu-west-1", Day: "2026-10-03", Records: 7},
		{File: "stdin.json"},
	}
	if got := ix.Unreadable(); !reflect.DeepEqual(got, want) {
		t.Errorf("Unreadable() = %+v, want %+v", got, want)
	}
	path := filepath.Join(t.TempDir(), "usage.parquet")
	if err := ix.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := usage.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Unreadable(); !reflect.DeepEqual(got, want) {
		t.Errorf("read back: Unreadable() = %+v, want %+v", got, want)
	}
	other := usage.NewBuilder(usage.BuilderOptions{})
	other.AddSource(usage.Source{Name: "logs/c.json.gz", Records: 3})
	m, err := usage.Merge(false, back, usage.Finish(usage.Meta{}, other))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Unreadable(); !reflect.DeepEqual(got, want) {
		t.Errorf("merged: Unreadable() = %+v, want %+v", got, want)
	}
	if got := usage.Finish(usage.Meta{}, usage.NewBuilder(usage.BuilderOptions{})).Unreadable(); got != nil {
		t.Errorf("an empty index: %+v", got)
	}
}

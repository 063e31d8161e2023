package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// TestAccountFallback checks the account of records without
// recipientAccountId: the caller's account, else the delivery path's, and
// never an ARN with an empty account.
func TestAccountFallback(t *testing.T) {
	const createUser = `"eventTime":"2014-03-24T21:11:59Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","requestParameters":{"userName":"Bob"}`
	tests := []struct {
		name, record, path string
		account, resource  string
	}{
		{"recipient", `{` + createUser + `,"recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","accountId":"444455556666","arn":"arn:aws:iam::444455556666:user/Alice"}}`,
			"", "111122223333", "arn:aws:iam::111122223333:user/Bob"},
		{"caller account", `{` + createUser + `,"userIdentity":{"type":"IAMUser","accountId":"123456789012","arn":"arn:aws:iam::123456789012:user/Alice"}}`,
			"", "123456789012", "arn:aws:iam::123456789012:user/Bob"},
		{"delivery path", `{` + createUser + `,"userIdentity":{"type":"AWSService","invokedBy":"cloudformation.amazonaws.com"}}`,
			"AWSLogs/210987654321/CloudTrail/us-east-1/2014/03/24/210987654321_CloudTrail_us-east-1_20140324T2115Z_abc.json", "210987654321", "arn:aws:iam::210987654321:user/Bob"},
		{"nothing", `{` + createUser + `,"userIdentity":{"type":"AWSService","invokedBy":"cloudformation.amazonaws.com"}}`,
			"events.json", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), filepath.FromSlash(tt.path))
			if tt.path == "" {
				path = filepath.Join(t.TempDir(), "x.json")
			}
			writeFile(t, path, []byte(`{"Records":[`+tt.record+`]}`))
			evs := runEvents(t, ingest.File{Path: path})
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Account != tt.account {
				t.Errorf("account %q, want %q", ev.Account, tt.account)
			}
			var want []string
			if tt.resource != "" {
				want = []string{tt.resource}
			}
			if !slices.Equal(ev.Resources, want) {
				t.Errorf("resources %q, want %q", ev.Resources, want)
			}
		})
	}
}

// TestAccountFallbackAWSDocs reads the AWS documentation's examples, many
// of which predate recipientAccountId: every record gets an account, and
// no ARN lacks one.
func TestAccountFallbackAWSDocs(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail", "awsdocs-examples-derived")
	evs := runEvents(t, ingest.File{Path: filepath.Join(dir, "awsdocs_cloudtrail_examples.json")})
	if len(evs) < 20 {
		t.Fatalf("only %d events", len(evs))
	}
	var bob bool
	for _, ev := range evs {
		if !tailor.IsAccountID(ev.Account) {
			t.Errorf("%s %s: account %q", ev.EventName, ev.Time, ev.Account)
		}
		for _, arn := range append([]string{ev.Principal}, ev.Resources...) {
			if strings.Contains(arn, ":iam:::") || strings.Contains(arn, "::::") {
				t.Errorf("%s: ARN without an account: %s", ev.EventName, arn)
			}
		}
		bob = bob || slices.Contains(ev.Resources, "arn:aws:iam::123456789012:user/Bob")
	}
	if !bob {
		t.Error("CreateUser of Bob (2014, no recipientAccountId) does not name arn:aws:iam::123456789012:user/Bob")
	}
}

// runEvents runs ingest on src with one worker and returns clones of the
// events it passed on.
func runEvents(t *testing.T, src ingest.Source) []*tailor.Event {
	t.Helper()
	var (
		mu  sync.Mutex
		evs []*tailor.Event
	)
	_, err := ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{
		Workers: 1,
		NewSink: func(int) ingest.Sink {
			return sinkFunc(func(ev *tailor.Event, _ bool) {
				mu.Lock()
				evs = append(evs, ev.Clone())
				mu.Unlock()
			})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

type sinkFunc func(*tailor.Event, bool)

func (f sinkFunc) Add(ev *tailor.Event, selected bool) { f(ev, selected) }

// writeFile writes data at path, creating its directory.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

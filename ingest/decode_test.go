package ingest_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

// decodeAll decodes r to the end and returns clones of the events and
// every error Next returned (io.EOF excluded).
func decodeAll(t testing.TB, r io.Reader, opts *ingest.DecoderOptions) ([]*tailor.Event, []error) {
	t.Helper()
	d := ingest.NewDecoder(r, opts)
	var evs []*tailor.Event
	var errs []error
	var ev tailor.Event
	for i := 0; i < 1e7; i++ {
		err := d.Next(&ev)
		if err == io.EOF {
			return evs, errs
		}
		if err != nil {
			errs = append(errs, err)
			var re *ingest.RecordError
			if errors.As(err, &re) {
				continue
			}
			// a sticky error: the next call must return it again
			if err2 := d.Next(&ev); err2 != err {
				t.Fatalf("error not sticky: %v, then %v", err, err2)
			}
			return evs, errs
		}
		evs = append(evs, ev.Clone())
	}
	t.Fatal("decoder does not terminate")
	return nil, nil
}

func open(t *testing.T, name string) io.Reader {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "decode", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(data)
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDecodeShapes(t *testing.T) {
	params := &ingest.DecoderOptions{RequestParams: []string{"sourceIdentity", "tags", "versionId"}}
	tests := []struct {
		file string
		want []tailor.Event
	}{
		{"records.json", []tailor.Event{{
			Time: date("2026-10-01T10:05:00Z"), EventSource: "s3.amazonaws.com", EventName: "GetObject",
			Region: "eu-west-1", Account: "111122223333",
			Principal:     "arn:aws:iam::111122223333:role/integrations/VendorRole",
			PrincipalType: tailor.IdentityAssumedRole, PrincipalAccount: "111122223333",
			SessionName: "vendor-session", SourceIdentity: "alice@vendor", AccessKeyID: "ASIAEXAMPLEKEY00001",
			SourceIP: "198.51.100.7", UserAgent: "[aws-sdk-go/1.44 (go1.21; linux; amd64)]", ReadOnly: true,
			Resources: []string{"arn:aws:s3:::reports", "arn:aws:s3:::reports/2026/10/a.csv"},
			EventID:   "e1", Data: true,
		}, {
			Time: date("2026-10-01T11:00:00Z"), EventSource: "kms.amazonaws.com", EventName: "Decrypt",
			Region: "us-east-1", Account: "111122223333", Principal: "arn:aws:iam::111122223333:user/deploy",
			PrincipalType: tailor.IdentityIAMUser, PrincipalAccount: "111122223333", CallerAccount: "111122223333",
			AccessKeyID: "AKIAEXAMPLE", SourceIP: "203.0.113.9", UserAgent: "aws-cli/2.15", ErrorCode: "AccessDenied",
			ReadOnly: true, Resources: []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			EventID: "e2",
		}}},
		{"array.json", []tailor.Event{{
			Time: date("2026-10-02T08:00:00Z"), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
			Region: "us-east-1", Account: "111122223333", Principal: "arn:aws:iam::111122223333:root",
			PrincipalType: tailor.IdentityRoot, PrincipalAccount: "111122223333", CallerAccount: "111122223333",
			SourceIP: "192.0.2.1", UserAgent: "Mozilla/5.0", EventID: "e3",
		}, {
			Time: date("2026-10-02T09:00:00Z"), EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
			Region: "us-east-1", Account: "111122223333", Principal: "lambda.amazonaws.com",
			PrincipalType: tailor.IdentityAWSService, InvokedBy: "lambda.amazonaws.com",
			SourceIP: "lambda.amazonaws.com", UserAgent: "lambda.amazonaws.com", ReadOnly: true,
			Resources: []string{"arn:aws:iam::111122223333:role/fn-role"}, EventID: "e4",
			Assumption: &tailor.Assumption{RoleARN: "arn:aws:iam::111122223333:role/fn-role", SessionName: "fn", AccessKeyID: "ASIAEXAMPLEKEY00002"},
		}}},
		{"lines.jsonl", []tailor.Event{{
			Time: date("2026-10-03T00:00:01Z"), EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
			Region: "us-east-1", Account: "111122223333", Principal: "arn:aws:iam::444455556666:root",
			PrincipalType: tailor.IdentityAWSAccount, PrincipalAccount: "444455556666", CallerAccount: "444455556666",
			SourceIP: "198.51.100.7", UserAgent: "vendor-agent/1.0", ReadOnly: true,
			Resources:     []string{"arn:aws:iam::111122223333:role/integrations/VendorRole"},
			RequestParams: []string{"sourceIdentity", "tags"}, EventID: "e5",
			Assumption: &tailor.Assumption{RoleARN: "arn:aws:iam::111122223333:role/integrations/VendorRole", SessionName: "vendor-session",
				SourceIdentity: "alice@vendor", AccessKeyID: "ASIAEXAMPLEKEY00001", CallerAccount: "444455556666", ExternalID: true},
		}, {
			Time: date("2026-10-03T00:00:02Z"), EventSource: "ec2.amazonaws.com", EventName: "StopInstances",
			Region: "eu-central-1", Account: "111122223333", Principal: "arn:aws:iam::111122223333:user/broker",
			PrincipalType: tailor.IdentityFederatedUser, PrincipalAccount: "111122223333", CallerAccount: "111122223333",
			SessionName: "bob", AccessKeyID: "ASIAFED", SourceIP: "203.0.113.5", UserAgent: "console",
			Resources: []string{"arn:aws:ec2:eu-central-1:111122223333:instance/i-0abc", "arn:aws:ec2:eu-central-1:111122223333:instance/i-0def"},
			EventID:   "e6",
		}}},
		{"lookup-events.json", []tailor.Event{{
			Time: date("2026-10-04T10:00:00Z"), EventSource: "secretsmanager.amazonaws.com", EventName: "GetSecretValue",
			Region: "ap-southeast-2", Account: "111122223333",
			Principal:     "arn:aws:identitystore::111122223333:identitystore/d-1234567890/user/u-123",
			PrincipalType: tailor.IdentityCenterUser, PrincipalAccount: "111122223333", CallerAccount: "111122223333",
			SourceIP: "192.0.2.44", UserAgent: `agent "quoted" café`, ReadOnly: true,
			Resources: []string{"arn:aws:secretsmanager:ap-southeast-2:111122223333:secret:prod/db"}, EventID: "e7",
		}}},
		{"lookup-lines.jsonl", []tailor.Event{{
			Time: date("2026-10-04T11:00:00Z"), EventSource: "s3.amazonaws.com", EventName: "ListBuckets",
			Region: "us-east-1", Account: "111122223333", Principal: "arn:aws:iam::111122223333:user/ops",
			PrincipalType: tailor.IdentityIAMUser, PrincipalAccount: "111122223333", CallerAccount: "111122223333", EventID: "e8",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, errs := decodeAll(t, open(t, tt.file), params)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(evs) != len(tt.want) {
				t.Fatalf("got %d events, want %d", len(evs), len(tt.want))
			}
			for i := range evs {
				got, want := *evs[i], tt.want[i]
				if len(got.Resources) == 0 {
					got.Resources = nil
				}
				if len(got.RequestParams) == 0 {
					got.RequestParams = nil
				}
				if got.Assumption != nil && want.Assumption != nil && *got.Assumption == *want.Assumption {
					got.Assumption = want.Assumption
				}
				if !eventsEqual(&got, &want) {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func eventsEqual(a, b *tailor.Event) bool {
	if (a.Assumption == nil) != (b.Assumption == nil) || (a.Assumption != nil && *a.Assumption != *b.Assumption) {
		return false
	}
	ac, bc := *a, *b
	ac.Assumption, bc.Assumption = nil, nil
	ar, br := ac.Resources, bc.Resources
	ap, bp := ac.RequestParams, bc.RequestParams
	ac.Resources, bc.Resources, ac.RequestParams, bc.RequestParams = nil, nil, nil, nil
	return ac.Time.Equal(bc.Time) && slices.Equal(ar, br) && slices.Equal(ap, bp) && equalNoTime(ac, bc)
}

func equalNoTime(a, b tailor.Event) bool {
	a.Time, b.Time = time.Time{}, time.Time{}
	return a.EventSource == b.EventSource && a.EventName == b.EventName && a.Region == b.Region &&
		a.Account == b.Account && a.Principal == b.Principal && a.PrincipalType == b.PrincipalType &&
		a.PrincipalAccount == b.PrincipalAccount && a.SessionName == b.SessionName &&
		a.SourceIdentity == b.SourceIdentity && a.AccessKeyID == b.AccessKeyID &&
		a.CallerAccount == b.CallerAccount && a.InvokedBy == b.InvokedBy && a.SourceIP == b.SourceIP &&
		a.UserAgent == b.UserAgent && a.ErrorCode == b.ErrorCode && a.ReadOnly == b.ReadOnly &&
		a.EventID == b.EventID && a.Data == b.Data
}

func TestDecodeBadInput(t *testing.T) {
	tests := []struct {
		file       string
		records    int      // records decoded before the problem
		wantErr    []error  // sentinels, in order
		line, col  int      // position of the first error, if it has one
		msgContain []string // in the first error's text
	}{
		{file: "digest.json", wantErr: []error{ingest.ErrDigest}},
		{file: "empty.json", wantErr: []error{ingest.ErrEmpty}},
		{file: "whitespace.json", wantErr: []error{ingest.ErrEmpty}},
		{file: "not-cloudtrail.json", wantErr: []error{ingest.ErrNotCloudTrail}, line: 1, col: 1},
		{file: "malformed-middle.json", records: 2, wantErr: []error{ingest.ErrSyntax}, line: 4, col: 94, msgContain: []string{"expected ',' or '}'"}},
		{file: "truncated.json", records: 1, wantErr: []error{io.ErrUnexpectedEOF}, line: 2, col: 1},
		{file: "lines-bad-line.jsonl", records: 2, wantErr: []error{ingest.ErrSyntax}, line: 2, col: 15},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, errs := decodeAll(t, open(t, tt.file), nil)
			if len(evs) != tt.records {
				t.Errorf("decoded %d records, want %d", len(evs), tt.records)
			}
			if len(errs) != len(tt.wantErr) {
				t.Fatalf("errors %v, want %v", errs, tt.wantErr)
			}
			for i, want := range tt.wantErr {
				if !errors.Is(errs[i], want) {
					t.Errorf("error %d = %v, want %v", i, errs[i], want)
				}
			}
			if tt.line > 0 {
				line, col := position(errs[0])
				if line != tt.line || col != tt.col {
					t.Errorf("error at %d:%d, want %d:%d (%v)", line, col, tt.line, tt.col, errs[0])
				}
			}
			for _, s := range tt.msgContain {
				if !strings.Contains(errs[0].Error(), s) {
					t.Errorf("error %q does not say %q", errs[0], s)
				}
			}
		})
	}
}

func position(err error) (int, int) {
	var se *ingest.SyntaxError
	var re *ingest.RecordError
	switch {
	case errors.As(err, &re):
		return re.Line, re.Column
	case errors.As(err, &se):
		return se.Line, se.Column
	}
	return 0, 0
}

// TestDecodeLargeRecord: a record over the limit is skipped with a
// RecordError; the records around it are kept.
func TestDecodeLargeRecord(t *testing.T) {
	rec := func(name string) string {
		return `{"eventTime":"2026-10-07T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"` + name +
			`","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a","accountId":"111122223333"}}`
	}
	big := `{"eventTime":"2026-10-07T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"policy":"` +
		strings.Repeat(`x\"{[`, 50<<20/5) + `"},"userIdentity":{"type":"IAMUser"}}`
	input := `{"Records":[` + rec("A") + "," + big + "," + rec("B") + `]}`
	evs, errs := decodeAll(t, strings.NewReader(input), &ingest.DecoderOptions{MaxRecordBytes: 1 << 20})
	if len(evs) != 2 || evs[0].EventName != "A" || evs[1].EventName != "B" {
		t.Fatalf("events %v", evs)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ingest.ErrRecordTooLarge) {
		t.Fatalf("errors %v, want one ErrRecordTooLarge", errs)
	}
	// With the default limit (8 MiB) the 50 MB record is skipped too:
	// memory stays bounded.
	evs, errs = decodeAll(t, strings.NewReader(input), nil)
	if len(evs) != 2 || len(errs) != 1 {
		t.Fatalf("default limit: %d events, errors %v", len(evs), errs)
	}
}

// TestDecodeReaderSizes feeds the same input through readers that return
// few bytes at a time: results must not depend on how reads split.
func TestDecodeReaderSizes(t *testing.T) {
	for _, file := range []string{"records.json", "array.json", "lines.jsonl", "lookup-events.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "decode", file))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := decodeAll(t, bytes.NewReader(data), nil)
		for _, n := range []int{1, 2, 3, 7, 64} {
			got, errs := decodeAll(t, &chunkReader{data: data, n: n}, nil)
			if len(errs) > 0 || len(got) != len(want) {
				t.Fatalf("%s in %d-byte reads: %d events, errors %v", file, n, len(got), errs)
			}
			for i := range got {
				if !eventsEqual(got[i], want[i]) {
					t.Errorf("%s in %d-byte reads: event %d differs", file, n, i)
				}
			}
		}
	}
}

type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

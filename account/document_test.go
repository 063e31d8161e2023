package account_test

import (
	"errors"
	"testing"

	"github.com/tailor-sec/tailor/account"
)

func TestNormalizeDocument(t *testing.T) {
	const compact = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a b/+/*"}]}`
	tests := []struct {
		name string
		in   string
		want string // "" means nil
		err  error
	}{
		{name: "object", in: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::a b/+/*\"} ]\n}", want: compact},
		{name: "JSON text in a string", in: `"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::a b/+/*\"}]}"`, want: compact},
		{name: "URL-encoded", in: `"%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGetObject%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Aa%20b%2F%2B%2F%2A%22%7D%5D%7D"`, want: compact},
		{name: "URL-encoded, plus kept", in: `"%7B%22Version%22:%222012-10-17%22,%22Statement%22:[%7B%22Effect%22:%22Allow%22,%22Action%22:%22s3:GetObject%22,%22Resource%22:%22arn:aws:s3:::a%20b/+/*%22%7D]%7D"`, want: compact},
		{name: "null", in: `null`},
		{name: "empty", in: ``},
		{name: "empty string", in: `""`},
		{name: "array", in: `["s3:GetObject"]`, err: account.ErrDocument},
		{name: "number", in: `42`, err: account.ErrDocument},
		{name: "URL-encoded array", in: `"%5B%5D"`, err: account.ErrDocument},
		{name: "bad escape", in: `"%7B%ZZ"`, err: account.ErrDocument},
		{name: "truncated object", in: `"{\"Version\": "`, err: account.ErrDocument},
		{name: "plain words", in: `"allow everything"`, err: account.ErrDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := account.NormalizeDocument([]byte(tt.in))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("NormalizeDocument = %s, %v; want error %v", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if got != nil {
					t.Errorf("NormalizeDocument = %s, want nil", got)
				}
				return
			}
			if string(got) != tt.want {
				t.Errorf("NormalizeDocument =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func FuzzNormalizeDocument(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17"}`))
	f.Add([]byte(`"%7B%22a%22%3A1%7D"`))
	f.Add([]byte(`"{\"a\":1}"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := account.NormalizeDocument(in)
		if err != nil || got == nil {
			return
		}
		again, err := account.NormalizeDocument(got)
		if err != nil || string(again) != string(got) {
			t.Errorf("not idempotent: %s -> %s, %v", got, again, err)
		}
	})
}

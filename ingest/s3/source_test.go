package s3_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/s3test"
)

func TestNewErrors(t *testing.T) {
	isolateAWSConfig(t, "", "")
	tests := []struct {
		name    string
		uri     string
		opts    s3.Options
		wantErr error
		wantMsg string
	}{
		{name: "not-s3", uri: "/var/log/trail", wantErr: s3.ErrBadURI, wantMsg: `s3: bad URI "/var/log/trail"`},
		{name: "bad-bucket", uri: "s3://No_Such", wantErr: s3.ErrBadURI, wantMsg: `bucket name "No_Such" is not valid`},
		{name: "unknown-profile", uri: "s3://trail", opts: s3.Options{Profile: "nope"}, wantMsg: "s3: load AWS config: "},
		{name: "retry-mode", uri: "s3://trail", opts: s3.Options{Retry: s3.RetryOptions{Mode: "eager"}}, wantMsg: `unknown retry mode "eager"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s3.New(context.Background(), tt.uri, tt.opts)
			if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("New: %v; want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// isolateAWSConfig points the SDK at config and credentials files holding
// the given text, and clears the environment's credentials.
func isolateAWSConfig(t *testing.T, configText, credentialsText string) {
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfg, []byte(configText), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte(credentialsText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	// No instance metadata lookups from a test machine.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestCredentialChain checks that without Options.Credentials the source
// finds credentials the standard way: environment, then the profile.
func TestCredentialChain(t *testing.T) {
	e := newEnv(t)
	e.srv.CreateBucket(t, "chain")
	key := "AWSLogs/" + acctA + "/CloudTrail/us-east-1/2024/01/31/" + acctA + "_CloudTrail_us-east-1_20240131T0005Z_a.json.gz"
	e.srv.Put(t, "chain", key, []byte("x"))

	good := "aws_access_key_id = " + s3test.AccessKey + "\naws_secret_access_key = " + s3test.SecretKey + "\n"
	bad := "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wrong\n"
	tests := []struct {
		name    string
		creds   string
		env     bool // credentials in the environment
		profile string
		wantKey string // access key id the request was signed with
	}{
		{name: "environment", env: true, wantKey: s3test.AccessKey},
		{name: "named-profile", creds: "[default]\n" + bad + "[audit]\n" + good, profile: "audit", wantKey: s3test.AccessKey},
		{name: "default-profile", creds: "[default]\n" + good, wantKey: s3test.AccessKey},
		{name: "wrong-profile", creds: "[default]\n" + bad + "[audit]\n" + good, wantKey: "AKIDEXAMPLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWSConfig(t, "[default]\nregion = us-east-1\n", tt.creds)
			if tt.env {
				t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
				t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
			}
			src, err := s3.New(context.Background(), "s3://chain", s3.Options{EndpointURL: e.url, Profile: tt.profile})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			err = src.List(context.Background(), ingest.Filter{}, func(o ingest.Object) error {
				got = append(got, o.Key)
				return nil
			})
			log := e.proxy.Log()
			if auth := log[len(log)-1].Header.Get("Authorization"); !strings.Contains(auth, "Credential="+tt.wantKey+"/") {
				t.Errorf("signed with %q, want access key %s", auth, tt.wantKey)
			}
			if tt.wantKey != s3test.AccessKey {
				var se *s3.Error
				if !errors.As(err, &se) {
					t.Errorf("List with unknown credentials: %v, want an *s3.Error", err)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0] != key {
				t.Errorf("List: %v, %v; want %s", got, err, key)
			}
		})
	}
}

func TestString(t *testing.T) {
	isolateAWSConfig(t, "", "")
	for uri, want := range map[string]string{
		"s3://trail":          "s3://trail/",
		"s3://trail/logs":     "s3://trail/logs/",
		"s3://trail/a/b.json": "s3://trail/a/b.json",
	} {
		src, err := s3.New(context.Background(), uri, s3.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := src.String(); got != want {
			t.Errorf("String() for %s = %q, want %q", uri, got, want)
		}
	}
}

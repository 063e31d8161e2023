package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Environment variables the package reads.
const (
	// RequireEnv, when set to anything but "" or "0", makes Start fail
	// instead of skip when versitygw is absent. CI sets it.
	RequireEnv = "TAILOR_REQUIRE_S3"
	// BinaryEnv names the versitygw binary to run, overriding the search.
	BinaryEnv = "TAILOR_VERSITYGW"
)

// The server's static, test-only credentials and region.
const (
	AccessKey = "tailortest"
	SecretKey = "tailortest-secret"
	Region    = "us-east-1"
)

// ErrNoBinary reports that versitygw was not found.
var ErrNoBinary = errors.New("s3test: versitygw not found")

// Binary returns the path of the versitygw binary: $TAILOR_VERSITYGW, else
// versitygw on PATH, else in $GOBIN, $GOPATH/bin or $HOME/go/bin, where
// `.ci/s3server.sh install` (go install) puts it.
func Binary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s=%s is not an executable file", ErrNoBinary, BinaryEnv, p)
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, d := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, "versitygw"); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w on PATH or in %s (install it with .ci/s3server.sh install)", ErrNoBinary, strings.Join(dirs, ", "))
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// A Server is a running versitygw. Start stops it when the test ends.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:<port>.
	Endpoint string
	// Dir is the posix backend's root: one directory per bucket.
	Dir string

	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// Start starts versitygw on a free loopback port with a fresh temporary
// directory, and stops it when tb ends. Without the binary it skips tb,
// or fails it when $TAILOR_REQUIRE_S3 is set.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		if v := os.Getenv(RequireEnv); v != "" && v != "0" {
			tb.Fatalf("%v (%s is set)", err, RequireEnv)
		}
		tb.Skipf("%v; set %s to fail instead of skip", err, RequireEnv)
	}
	dir := tb.TempDir()
	// The port is picked by binding :0 and releasing it, so another
	// process may take it before versitygw does: try again then.
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := start(bin, dir)
		if err == nil {
			tb.Cleanup(s.stop)
			return s
		}
		errs = append(errs, err)
	}
	tb.Fatalf("s3test: start versitygw: %v", errors.Join(errs...))
	return nil
}

func start(bin, dir string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()

	s := &Server{Endpoint: "http://" + addr, Dir: dir, logs: &syncBuffer{}, done: make(chan struct{})}
	// --keep-alive: versitygw closes every connection after one response
	// unless told otherwise, so each GET would pay a TCP handshake and a
	// fresh connection on both sides (about 50 µs of server CPU and 35 µs
	// of client CPU per GET here); S3 itself keeps connections open.
	s.cmd = exec.Command(bin, "--port", addr, "--access", AccessKey, "--secret", SecretKey,
		"--region", Region, "--quiet", "--keep-alive", "posix", dir)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID=", "ROOT_SECRET_ACCESS_KEY=")
	setProcAttr(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()

	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("versitygw exited at start: %s", s.logs.String())
		default:
		}
		if resp, err := c.Get(s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("versitygw not answering on %s after 15s: %s", addr, s.logs.String())
}

func (s *Server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
	<-s.done
}

// Logs returns what the server has printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// Credentials returns the server's static credentials.
func (s *Server) Credentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey, Source: "s3test"}, nil
	})
}

// Client returns an S3 client for endpoint (the server's Endpoint, or a
// proxy in front of it) with path-style addressing and the server's
// credentials.
func (s *Server) Client(endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  s.Credentials(),
	})
}

// CreateBucket creates a bucket, failing tb on error.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	_, err := s.Client(s.Endpoint).CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil {
		tb.Fatalf("s3test: create bucket %s: %v", name, err)
	}
}

// Put stores body at bucket/key and returns the object's ETag, failing tb
// on error.
func (s *Server) Put(tb testing.TB, bucket, key string, body []byte) string {
	tb.Helper()
	out, err := s.Client(s.Endpoint).PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		tb.Fatalf("s3test: put s3://%s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

// syncBuffer is a bytes.Buffer safe for the process's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// CPUTime returns the CPU time (user and system) the server has used
// since it started, to the 10 ms the kernel counts in. Benchmarks take it
// before and after a run to know what the server cost, since it runs on
// the same cores as the client. It fails on systems other than Linux.
func (s *Server) CPUTime() (time.Duration, error) {
	d, err := cpuTime(s.cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("s3test: CPU time of versitygw: %w", err)
	}
	return d, nil
}

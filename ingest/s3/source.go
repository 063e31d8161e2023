package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"

	"github.com/tailor-sec/tailor/ingest"
)

var (
	_ ingest.Source     = (*Source)(nil)
	_ ingest.Prefetcher = (*Source)(nil)
)

// Defaults for the zero values of Options.
const (
	// DefaultMaxConcurrentGETs bounds the objects open at once. CloudTrail
	// files are small (kilobytes to a few megabytes), so a GET spends most
	// of its life waiting for the first byte: 16 in flight hide that
	// latency for the handful of decoders one machine runs, stay far below
	// S3's 5,500 GET/s per prefix, and keep memory at 16 connection
	// buffers.
	DefaultMaxConcurrentGETs = 16
	// DefaultMaxConcurrentLists bounds the LIST requests in flight. A day
	// prefix of one account and region lists in one page; 8 at a time
	// list an organization's days quickly while leaving S3's per-prefix
	// request rate untouched.
	DefaultMaxConcurrentLists = 8
	// DefaultMaxAttempts is how many times one request is tried, and how
	// many times in a row a body read may fail without progress, before
	// an error is returned.
	DefaultMaxAttempts = 10
	// DefaultBaseDelay and DefaultMaxDelay bound the exponential backoff
	// between attempts.
	DefaultBaseDelay = 200 * time.Millisecond
	DefaultMaxDelay  = 20 * time.Second
	// DefaultReadTimeout is how long a request may wait for its response
	// headers, or a body read for a byte, before the connection counts as
	// broken.
	DefaultReadTimeout = time.Minute
)

// PathStyle chooses how requests name the bucket.
type PathStyle int

// The addressing styles. The zero value, PathStyleAuto, uses path-style
// addressing (http://host/bucket/key) when Options.EndpointURL is set, as
// S3-compatible servers expect, and virtual-hosted style
// (https://bucket.host/key) for AWS otherwise.
const (
	PathStyleAuto PathStyle = iota
	PathStyleOn
	PathStyleOff
)

// Options configure a Source. The zero value reads from AWS with the
// standard credential chain and region resolution.
type Options struct {
	// Profile is the shared config profile; "" means the default chain
	// ($AWS_PROFILE, else "default").
	Profile string
	// Region is the bucket's region; "" means the configured one, else
	// us-east-1. An error for a bucket in another region names it.
	Region string
	// EndpointURL points the client at an S3-compatible server, such as
	// http://127.0.0.1:7070; "" means AWS.
	EndpointURL string
	// PathStyle chooses the addressing style; see PathStyle.
	PathStyle PathStyle
	// RequesterPays sends x-amz-request-payer: requester with every
	// request, accepting the charges of a requester-pays bucket. Off by
	// default: without it such a bucket answers access denied.
	RequesterPays bool
	// MaxConcurrentGETs bounds the objects open at once: Open blocks
	// until a reader is closed. 0 means DefaultMaxConcurrentGETs.
	MaxConcurrentGETs int
	// MaxConcurrentLists bounds the LIST requests in flight. 0 means
	// DefaultMaxConcurrentLists.
	MaxConcurrentLists int
	// Retry configures retries of transient failures.
	Retry RetryOptions
	// Credentials replaces the standard credential chain when set.
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests; nil means the SDK's client with a
	// connection pool sized for the concurrency limits.
	HTTPClient aws.HTTPClient
	// Logger receives retries, resumed reads and the listing plan
	// (debug); nil discards them.
	Logger *slog.Logger
	// AppID names the application in the User-Agent of every request
	// (app/AppID), so that the bucket owner's logs tell its reads apart.
	AppID string
}

// RetryOptions configure retries. Requests (LIST and the GET that opens an
// object) are retried by the SDK on throttling (503 SlowDown), server
// errors and connection failures; reads of an object's body are resumed
// by the reader. The zero value uses the defaults above.
type RetryOptions struct {
	// Mode is the SDK retry mode: aws.RetryModeStandard (the default) or
	// aws.RetryModeAdaptive, which also slows the client down while S3
	// throttles it. Neither gives up because of a client-wide retry
	// quota: a long run retries every request up to MaxAttempts.
	Mode aws.RetryMode
	// MaxAttempts bounds the attempts of one request, and the failed body
	// reads in a row (without a byte of progress) of one object. 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry, doubled for each
	// further one up to MaxDelay; each delay is drawn between half and
	// all of that. 0 means DefaultBaseDelay; 0 MaxDelay means
	// DefaultMaxDelay.
	BaseDelay, MaxDelay time.Duration
	// ReadTimeout is how long a request may wait for the response
	// headers, and a body read for data, before the connection counts as
	// broken: the request is retried, the read resumes. 0 means
	// DefaultReadTimeout; negative means no limit. The header limit
	// applies only with the default HTTPClient.
	ReadTimeout time.Duration
}

// A Source lists and opens the CloudTrail logs under s3://bucket/prefix.
// It is safe for concurrent use.
type Source struct {
	bucket, prefix string
	client         *awss3.Client // LIST, and GETs checked by the SDK
	gzClient       *awss3.Client // GETs of gzip files; see selfChecked
	getter         *getter       // GETs of gzip files, without the SDK; nil: gzClient
	log            *slog.Logger
	payer          types.RequestPayer
	gets           chan struct{} // semaphore of open objects
	lists          int
	attempts       int
	baseDelay      time.Duration
	maxDelay       time.Duration
	readTimeout    time.Duration
	stats          counters
}

// New returns a Source for uri, of the form s3://bucket or
// s3://bucket/prefix (see ParseURI). It loads the AWS configuration
// (profile, region, credentials chain) but sends no request: a missing
// bucket or denied access shows on List or Open.
func New(ctx context.Context, uri string, opts Options) (*Source, error) {
	bucket, prefix, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	s := &Source{
		bucket:      bucket,
		prefix:      prefix,
		log:         opts.Logger,
		lists:       orDefault(opts.MaxConcurrentLists, DefaultMaxConcurrentLists),
		attempts:    orDefault(opts.Retry.MaxAttempts, DefaultMaxAttempts),
		baseDelay:   orDefault(opts.Retry.BaseDelay, DefaultBaseDelay),
		maxDelay:    orDefault(opts.Retry.MaxDelay, DefaultMaxDelay),
		readTimeout: orDefault(opts.Retry.ReadTimeout, DefaultReadTimeout),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.gets = make(chan struct{}, orDefault(opts.MaxConcurrentGETs, DefaultMaxConcurrentGETs))
	if opts.RequesterPays {
		s.payer = types.RequestPayerRequester
	}
	switch opts.Retry.Mode {
	case "", aws.RetryModeStandard, aws.RetryModeAdaptive:
	default:
		return nil, fmt.Errorf("s3: new source: unknown retry mode %q", opts.Retry.Mode)
	}

	httpClient := opts.HTTPClient
	if httpClient == nil {
		conns := cap(s.gets) + s.lists
		httpClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 2 * conns
			t.MaxIdleConnsPerHost = conns
			if s.readTimeout > 0 {
				t.ResponseHeaderTimeout = s.readTimeout
			}
		})
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(s.retryer(opts.Retry.Mode)),
	}
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(opts.Credentials))
	}
	if opts.AppID != "" {
		loadOpts = append(loadOpts, config.WithAppID(opts.AppID))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS config: %w", err)
	}
	// The SDK logs through our logger, at debug level.
	cfg.Logger = logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		s.log.Debug("s3: sdk: "+fmt.Sprintf(format, v...), "class", string(c))
	})
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	pathStyle := opts.PathStyle == PathStyleOn || (opts.PathStyle == PathStyleAuto && opts.EndpointURL != "")
	clientOpts := func(o *awss3.Options) {
		if opts.EndpointURL != "" {
			o.BaseEndpoint = aws.String(opts.EndpointURL)
		}
		o.UsePathStyle = pathStyle
		// Resumed reads are ranged GETs, which carry no checksum to check.
		o.DisableLogOutputChecksumValidationSkipped = true
	}
	s.client = awss3.NewFromConfig(cfg, clientOpts)
	// Gzip files check themselves: the gzip trailer holds the CRC-32 and
	// length of the content, which ingest verifies when it inflates the
	// object, end to end from the writer (CloudTrail) to the decoder, so
	// a flipped byte is reported as a bad gzip file. The SDK's own check
	// of the stored bytes (a CRC-64 of every byte, set up anew for every
	// GET) repeats that at a cost of about 20 us of CPU per GET on
	// CloudTrail-sized objects, so GETs of .gz keys ask for no checksum,
	// and go through the getter (see getter) unless the endpoint needs
	// the SDK. Other objects keep the SDK's check (ErrCorrupt).
	s.gzClient = awss3.NewFromConfig(cfg, clientOpts, func(o *awss3.Options) {
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	if opts.Retry.Mode != aws.RetryModeAdaptive { // the adaptive mode's rate limit lives in the SDK
		s.getter = s.newGetter(ctx, s.gzClient, httpClient)
	}
	return s, nil
}

// selfChecked reports whether an object's content carries its own
// checksum that ingest verifies: gzip files do.
func selfChecked(key string) bool {
	return strings.HasSuffix(strings.ToLower(key), ".gz")
}

// String returns the source as s3://bucket/prefix.
func (s *Source) String() string { return "s3://" + s.bucket + "/" + s.prefix }

// Name names an object in messages: s3://bucket/key.
func (s *Source) Name(obj ingest.Object) string { return "s3://" + s.bucket + "/" + obj.Key }

// ErrBadURI reports a URI that does not name an S3 bucket.
var ErrBadURI = errors.New("s3: bad URI")

// ParseURI splits s3://bucket/prefix. The prefix names a folder: a
// trailing "/" is added when missing, so s3://b/logs reads logs/ and not
// logs-old/, except when its last element looks like a log file
// (….json.gz, ….json, ….zip, ….gz), which reads that object (and any key
// it is a prefix of). An empty prefix is the whole bucket.
func ParseURI(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%w %q: want s3://bucket/prefix", ErrBadURI, uri)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !validBucket(bucket) {
		return "", "", fmt.Errorf("%w %q: bucket name %q is not valid", ErrBadURI, uri, bucket)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") && !isLogName(prefix) {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// validBucket accepts S3 bucket names: 3 to 63 lower-case letters,
// digits, dots and hyphens (and underscores, which older buckets and
// S3-compatible servers allow), starting and ending with a letter or digit.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-' || c == '_':
			if i == 0 || i == len(b)-1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isLogName reports whether a key's name has an extension of a file
// ingest reads: gzip, JSON (lines), or zip.
func isLogName(key string) bool {
	name := strings.ToLower(key[strings.LastIndexByte(key, '/')+1:])
	for _, ext := range []string{".gz", ".json", ".jsonl", ".ndjson", ".zip"} {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// retryer builds the SDK retryer: standard or adaptive mode, s.attempts
// attempts, the package's backoff, and no client-wide retry quota (the
// SDK's default quota makes a long run fail requests once a burst of
// throttling has drained it).
func (s *Source) retryer(mode aws.RetryMode) func() aws.Retryer {
	std := func(o *retry.StandardOptions) {
		o.MaxAttempts = s.attempts
		o.MaxBackoff = s.maxDelay
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
			return backoff(attempt, s.baseDelay, s.maxDelay), nil
		})
		o.RateLimiter = ratelimit.None
	}
	return func() aws.Retryer {
		if mode == aws.RetryModeAdaptive {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, std)
			})
		}
		return retry.NewStandard(std)
	}
}

// Prefetch returns how many objects ingest should fetch ahead of its
// workers: as many as may be open at once.
func (s *Source) Prefetch() int { return cap(s.gets) }

package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// A getter sends the GETs of objects as plain signed HTTP requests.
//
// The SDK's GetObject runs every request through 36 middleware
// steps (endpoint rules, auth scheme resolution, checksum setup, retry
// bookkeeping, response deserialization), which cost about 75 us of CPU
// per GET here, more than the HTTP exchange itself; an ingest of small
// CloudTrail files sends tens of thousands of GETs. The getter resolves
// the bucket's endpoint once, with the SDK's own rules, signs each request
// with the SDK's SigV4 signer and sends it through the same HTTP client;
// errors come back as the SDK's error types, so opError reads them alike.
// Endpoints that need another signature (S3 Express directory buckets,
// multi-region access points) keep the SDK's GetObject.
type getter struct {
	http          aws.HTTPClient
	creds         aws.CredentialsProvider // nil: anonymous, requests go unsigned
	signer        *v4.Signer
	base          url.URL // the bucket's endpoint; a key's path is appended
	signingName   string
	signingRegion string
	payer         bool
	retryer       aws.Retryer // the SDK's, as the source configures it: attempts, backoff, what to retry
	userAgent     string
}

// emptySHA256 is the SHA-256 of an empty body, the payload hash of a GET.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// newGetter returns a getter for the source's bucket with the client's
// options, or nil when the endpoint needs what only the SDK does.
func (s *Source) newGetter(ctx context.Context, client *awss3.Client, httpClient aws.HTTPClient) *getter {
	o := client.Options()
	params := awss3.EndpointParameters{
		Bucket:                         aws.String(s.bucket),
		Region:                         aws.String(o.Region),
		UseFIPS:                        aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack:                   aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		Endpoint:                       o.BaseEndpoint,
		ForcePathStyle:                 aws.Bool(o.UsePathStyle),
		Accelerate:                     aws.Bool(o.UseAccelerate),
		DisableMultiRegionAccessPoints: aws.Bool(o.DisableMultiRegionAccessPoints),
		UseArnRegion:                   aws.Bool(o.UseARNRegion),
		DisableS3ExpressSessionAuth:    o.DisableS3ExpressSessionAuth,
	}
	resolver := o.EndpointResolverV2
	if resolver == nil {
		resolver = awss3.NewDefaultEndpointResolverV2()
	}
	ep, err := resolver.ResolveEndpoint(ctx, params)
	if err != nil {
		s.log.Debug("s3: GETs go through the SDK: endpoint not resolved", "err", err)
		return nil
	}
	name, region, ok := sigV4Scheme(ep.Properties.Get("authSchemes"))
	if !ok {
		s.log.Debug("s3: GETs go through the SDK: the endpoint needs another signature", "endpoint", ep.URI.String())
		return nil
	}
	if region == "" {
		region = o.Region
	}
	g := &getter{
		http:          httpClient,
		base:          ep.URI,
		signingName:   name,
		signingRegion: region,
		payer:         s.payer != "",
		userAgent:     userAgent(o.AppID),
		retryer:       s.retryer(aws.RetryModeStandard)(),
		signer: v4.NewSigner(func(so *v4.SignerOptions) {
			// S3 signs the path as sent, escaped once.
			so.DisableURIPathEscaping = true
		}),
	}
	if o.Credentials != nil && !aws.IsCredentialsProvider(o.Credentials, aws.AnonymousCredentials{}) {
		g.creds = o.Credentials
		if _, cached := g.creds.(*aws.CredentialsCache); !cached {
			g.creds = aws.NewCredentialsCache(g.creds)
		}
	}
	return g
}

// userAgent is the User-Agent of the getter's requests: the SDK's name
// and version, and the application's id as the SDK writes it.
func userAgent(appID string) string {
	ua := "aws-sdk-go-v2/" + aws.SDKVersion + " ua/2.1 lang/go#" + strings.TrimPrefix(runtime.Version(), "go")
	if appID != "" {
		ua += " app/" + appID
	}
	return ua
}

// sigV4Scheme reads the signing name and region of an endpoint whose
// first auth scheme is plain SigV4; ok is false for any other.
func sigV4Scheme(schemes any) (name, region string, ok bool) {
	list, _ := schemes.([]any)
	if len(list) == 0 {
		return "s3", "", true // no scheme named: the service's default
	}
	m, _ := list[0].(map[string]any)
	if m == nil || m["name"] != "sigv4" {
		return "", "", false
	}
	name, _ = m["signingName"].(string)
	if name == "" {
		name = "s3"
	}
	region, _ = m["signingRegion"].(string)
	return name, region, true
}

// getResult is what a GET answered.
type getResult struct {
	body         io.ReadCloser
	etag         string
	size         int64 // Content-Length; -1 if not sent
	contentRange string
}

// get sends a GET for key (with If-Match etag and bytes from off on, when
// set), retrying transient failures, and returns the open response.
func (g *getter) get(ctx context.Context, key, etag string, off int64) (*getResult, error) {
	u := g.base
	u.RawPath = strings.TrimSuffix(g.base.EscapedPath(), "/") + "/" + escapeKey(key)
	u.Path = strings.TrimSuffix(g.base.Path, "/") + "/" + key
	for attempt := 1; ; attempt++ {
		res, err := g.try(ctx, &u, etag, off)
		if err == nil || !g.retryer.IsErrorRetryable(err) || attempt >= g.retryer.MaxAttempts() {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return res, err
		}
		d, derr := g.retryer.RetryDelay(attempt, err)
		if derr != nil {
			return nil, derr
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, errors.Join(ctx.Err(), err)
		}
	}
}

// try sends one GET. Its errors are the SDK's: a RequestSendError for a
// request without an answer, a ResponseError holding S3's error code
// for a failed answer, so the SDK's retryer tells them apart as it would
// its own.
func (g *getter) try(ctx context.Context, u *url.URL, etag string, off int64) (*getResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	// Identity: the body is the object as stored, never inflated by the
	// transport, even when it was uploaded with Content-Encoding: gzip.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", g.userAgent)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	if off > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
	}
	if g.payer {
		req.Header.Set("X-Amz-Request-Payer", "requester")
	}
	if g.creds != nil {
		creds, err := g.creds.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("get credentials: %w", err)
		}
		if err := g.signer.SignHTTP(ctx, creds, req, emptySHA256, g.signingName, g.signingRegion, time.Now()); err != nil {
			return nil, fmt.Errorf("sign request: %w", err)
		}
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return nil, &smithyhttp.RequestSendError{Err: err}
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent {
		return &getResult{
			body:         resp.Body,
			etag:         resp.Header.Get("ETag"),
			size:         resp.ContentLength,
			contentRange: resp.Header.Get("Content-Range"),
		}, nil
	}
	return nil, &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: readError(resp)},
		RequestID:     resp.Header.Get("X-Amz-Request-Id"),
	}
}

// readError reads S3's XML error document from a failed response and
// closes its body. A bodiless answer (HEAD, some redirects) gives the
// status text as its message and no code.
func readError(resp *http.Response) *smithy.GenericAPIError {
	defer resp.Body.Close()
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if len(body) > 0 {
		xml.Unmarshal(body, &doc) // a body that is not S3's XML leaves the code empty
	}
	e := &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// escapeKey escapes a key for a URL path as S3 expects and signs it:
// every byte but the unreserved characters and "/" as %XX.
func escapeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			if b.Len() > 0 {
				b.WriteByte(c)
			}
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(key) + 16)
			b.WriteString(key[:i])
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	if b.Len() == 0 {
		return key
	}
	return b.String()
}

package account_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/tailor-sec/tailor/account"
)

// bodyCheck is an iam.HTTPClient that closes each request's body, as the
// SDK does once the response headers are in, and then drains it the way
// net/http's writing goroutine does after the declared length is sent.
type bodyCheck struct {
	writerTo bool
	err      error
}

func (c *bodyCheck) Do(r *http.Request) (*http.Response, error) {
	_, c.writerTo = r.Body.(io.WriterTo)
	r.Body.Close()
	_, c.err = io.Copy(io.Discard, r.Body)
	return &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}, nil
}

// TestClientOptionsBody: with ClientOptions, draining a closed request body
// ends cleanly, so net/http never takes it for a write error and closes the
// connection under the response (the cause of a page fetched twice).
func TestClientOptionsBody(t *testing.T) {
	call := func(opts ...func(*iam.Options)) *bodyCheck {
		check := &bodyCheck{}
		c := iam.New(iam.Options{
			Region:           "us-east-1",
			BaseEndpoint:     aws.String("http://iam.invalid"),
			Credentials:      credentials.NewStaticCredentialsProvider(testKeyID, "secret", ""),
			HTTPClient:       check,
			RetryMaxAttempts: 1,
		}, opts...)
		c.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		return check
	}
	if got := call(account.ClientOptions); got.writerTo || got.err != nil {
		t.Errorf("with ClientOptions: body has WriteTo %v, drain after close: %v; want no WriteTo and a clean end", got.writerTo, got.err)
	}
	if got := call(); got.err == nil {
		t.Logf("the SDK's own request body now drains cleanly after Close; ClientOptions may no longer be needed")
	}
}

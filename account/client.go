package account

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ClientOptions adjusts an IAM client for the calls of this package; pass it
// to iam.New or iam.NewFromConfig after any option that sets HTTPClient.
//
// It works around a race between the AWS SDK and net/http that makes the SDK
// read a response twice. The SDK closes a request's body as soon as the
// response headers arrive, and its body wrapper then answers WriteTo with
// io.EOF. When the server answers before net/http's writing goroutine has
// made its final check of the body (it does once the body's declared length
// is sent, as IAM may), that goroutine takes the io.EOF for a write error and
// closes the connection while the response is being read; the SDK reports
// "use of closed network connection" and retries, so a page is fetched
// twice and a retry is spent. (See aws/aws-sdk-go-v2 issues 1825 and 2737:
// the SDK made that error retryable rather than remove its cause.) The
// option hides WriteTo from the body, so net/http reads it with Read, which
// ends with a clean io.EOF after the close.
func ClientOptions(o *iam.Options) {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	o.HTTPClient = plainBodyClient{o.HTTPClient}
}

// plainBodyClient sends each request with a body that has no WriteTo.
type plainBodyClient struct{ next iam.HTTPClient }

func (c plainBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = plainBody{r.Body}
	}
	return c.next.Do(r)
}

// plainBody is an io.ReadCloser and nothing more.
type plainBody struct{ rc io.ReadCloser }

func (b plainBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b plainBody) Close() error               { return b.rc.Close() }

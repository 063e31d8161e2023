// Package accounttest provides a fake IAM endpoint for tests of code that
// takes IAM snapshots, in the manner of net/http/httptest.
//
// The server speaks IAM's Query protocol: form-encoded POSTs with an Action
// parameter, answered with IAM's XML, with policy documents URL-encoded as
// the real service sends them. It serves one fixed account (id [AccountID]):
// three pages of GetAccountAuthorizationDetails linked by Marker, one AWS
// managed policy that the pages leave out but GetPolicy and GetPolicyVersion
// return, and a credential report that GenerateCredentialReport reports as
// STARTED, then INPROGRESS, then COMPLETE. [ExpectedDetails] is the same
// account as aws iam get-account-authorization-details would print it.
//
// GenerateServiceLastAccessedDetails starts a job for any user or role of
// the account (see [LastAccessedJobs]); GetServiceLastAccessedDetails
// answers IN_PROGRESS for the first checks of a job, then its final answer:
// alice's report in two pages linked by Marker, vendor-audit's job FAILED,
// the others' reports in one page.
package accounttest

import (
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

//go:embed testdata
var fixtures embed.FS

// AccountID is the id of the account the server serves.
const AccountID = "111122223333"

// Markers the pages of GetAccountAuthorizationDetails carry.
const (
	marker2 = "AAEAAQDKYjPfU4mG0OcLqYf1zSrkOEuJ2eT0yrmGn7Vw1xN2"
	marker3 = "AAEAAQDKYjPfU4mG0OcLqYf1zSrkOEuJ2eT0yrmGn7Vw1xN3"
)

// ExpectedDetails returns the served account as the AWS CLI prints
// get-account-authorization-details, documents decoded; it includes the
// policy only GetPolicy returns, last in Policies.
func ExpectedDetails() []byte { return mustRead("testdata/authz-expected.json") }

// CredentialReportCSV returns the credential report the server serves.
func CredentialReportCSV() []byte { return mustRead("testdata/credential-report.csv") }

func mustRead(name string) []byte {
	b, err := fixtures.ReadFile(name)
	if err != nil {
		panic("accounttest: " + err.Error()) // the files are embedded
	}
	return b
}

// Fault is an error response: HTTP status, IAM error code and message.
type Fault struct {
	Status  int
	Code    string
	Message string
}

// Throttling is the error IAM answers when calls come too fast.
func Throttling() *Fault {
	return &Fault{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// AccessDenied is the error IAM answers when the caller lacks action.
func AccessDenied(action string) *Fault {
	return &Fault{Status: http.StatusForbidden, Code: "AccessDenied",
		Message: fmt.Sprintf("User: arn:aws:iam::%s:user/auditor is not authorized to perform: %s on resource: arn:aws:iam::%s:* because no identity-based policy allows the %s action", AccountID, action, AccountID, action)}
}

// Config adjusts the server. The zero value serves every call successfully.
type Config struct {
	// Fault, if set, is consulted before each call with the action and the
	// call's number among calls of that action (from 1); a non-nil Fault is
	// sent instead of the answer.
	Fault func(action string, n int) *Fault
	// RequestFault, if set, is consulted like Fault, with the whole request.
	RequestFault func(req Request, n int) *Fault
	// JobPolls is how many GetServiceLastAccessedDetails calls of a job
	// answer IN_PROGRESS before its final answer; 0 means 2, a negative
	// number none.
	JobPolls int
}

// LastAccessedJob is the last accessed job the server runs for a principal.
type LastAccessedJob struct {
	ARN   string
	JobID string
	Pages []string // the fixtures of its final answer, in order
}

// LastAccessedJobs returns the job of each user and role of the account.
func LastAccessedJobs() []LastAccessedJob {
	return []LastAccessedJob{
		{"arn:aws:iam::111122223333:user/alice", "examplef-1305-c245-eba4-71fe298bcd01", []string{"testdata/last-accessed-alice-page1.xml", "testdata/last-accessed-alice-page2.xml"}},
		{"arn:aws:iam::111122223333:user/automation/ci-bot", "examplef-1305-c245-eba4-71fe298bcd02", []string{"testdata/last-accessed-ci-bot.xml"}},
		{"arn:aws:iam::111122223333:role/vendor-audit", "examplef-1305-c245-eba4-71fe298bcd03", []string{"testdata/last-accessed-vendor-audit.xml"}},
		{"arn:aws:iam::111122223333:role/app/web-server", "examplef-1305-c245-eba4-71fe298bcd04", []string{"testdata/last-accessed-web-server.xml"}},
		{"arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport", "examplef-1305-c245-eba4-71fe298bcd05", []string{"testdata/last-accessed-support.xml"}},
	}
}

// lastAccessedMarker is the Marker of page n (from 2) of a job's answer.
func lastAccessedMarker(n int) string {
	return fmt.Sprintf("AAEAAZwV4ZK4vZ5mWqvN7R0sF1tYl2xJgS8pQ3Ov0ac1LAST%d", n)
}

// Request is a call the server received.
type Request struct {
	Action      string
	Form        url.Values
	AccessKeyID string // from the SigV4 Authorization header
	UserAgent   string
}

// Server is a running fake IAM endpoint.
type Server struct {
	// URL is the endpoint, for the SDK's BaseEndpoint or --endpoint-url.
	URL string

	cfg      Config
	srv      *httptest.Server
	mu       sync.Mutex
	requests []Request
	calls    map[string]int
	reports  int            // GenerateCredentialReport calls answered
	polls    map[string]int // GetServiceLastAccessedDetails calls per job
}

// NewServer starts a server, closed when the test ends.
func NewServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{cfg: cfg, calls: map[string]int{}, polls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Requests returns the calls received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Calls returns how many calls of action the server received.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeFault(w, &Fault{http.StatusMethodNotAllowed, "InvalidAction", "IAM takes POST"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeFault(w, &Fault{http.StatusBadRequest, "MalformedQueryString", err.Error()})
		return
	}
	action := r.PostForm.Get("Action")
	req := Request{Action: action, Form: r.PostForm, AccessKeyID: accessKeyID(r.Header.Get("Authorization")), UserAgent: r.UserAgent()}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.calls[action]++
	n := s.calls[action]
	s.mu.Unlock()

	if v := r.PostForm.Get("Version"); v != "2010-05-08" {
		writeFault(w, &Fault{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("unknown API version %q", v)})
		return
	}
	if req.AccessKeyID == "" {
		writeFault(w, &Fault{http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"})
		return
	}
	if s.cfg.Fault != nil {
		if f := s.cfg.Fault(action, n); f != nil {
			writeFault(w, f)
			return
		}
	}
	if s.cfg.RequestFault != nil {
		if f := s.cfg.RequestFault(req, n); f != nil {
			writeFault(w, f)
			return
		}
	}
	switch action {
	case "GetAccountAuthorizationDetails":
		switch m := r.PostForm.Get("Marker"); m {
		case "":
			writeFile(w, "testdata/authz-page1.xml")
		case marker2:
			writeFile(w, "testdata/authz-page2.xml")
		case marker3:
			writeFile(w, "testdata/authz-page3.xml")
		default:
			writeFault(w, &Fault{http.StatusBadRequest, "InvalidInput", fmt.Sprintf("invalid marker %q", m)})
		}
	case "GetPolicy", "GetPolicyVersion":
		arn := r.PostForm.Get("PolicyArn")
		if arn != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			writeFault(w, &Fault{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s does not exist or is not attachable.", arn)})
			return
		}
		if action == "GetPolicy" {
			writeFile(w, "testdata/get-policy-ReadOnlyAccess.xml")
			return
		}
		if v := r.PostForm.Get("VersionId"); v != "v120" {
			writeFault(w, &Fault{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s version %s does not exist or is not attachable.", arn, v)})
			return
		}
		writeFile(w, "testdata/get-policy-version-ReadOnlyAccess.xml")
	case "GenerateCredentialReport":
		s.mu.Lock()
		s.reports++
		state := [...]string{"STARTED", "INPROGRESS", "COMPLETE"}[min(s.reports, 3)-1]
		s.mu.Unlock()
		desc := ""
		if state == "STARTED" {
			desc = "\n    <Description>No report exists. Starting a new report generation task</Description>"
		}
		writeXML(w, fmt.Sprintf(`<GenerateCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GenerateCredentialReportResult>%s
    <State>%s</State>
  </GenerateCredentialReportResult>
  <ResponseMetadata>
    <RequestId>29f47818-99f5-11e1-a4c3-27EXAMPLE804</RequestId>
  </ResponseMetadata>
</GenerateCredentialReportResponse>
`, desc, state))
	case "GetCredentialReport":
		s.mu.Lock()
		ready := s.reports >= 3
		s.mu.Unlock()
		if !ready {
			writeFault(w, &Fault{http.StatusNotFound, "ReportInProgress", "Report generation in progress. Try again later."})
			return
		}
		writeXML(w, fmt.Sprintf(`<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetCredentialReportResult>
    <Content>%s</Content>
    <ReportFormat>text/csv</ReportFormat>
    <GeneratedTime>2024-03-12T09:00:00Z</GeneratedTime>
  </GetCredentialReportResult>
  <ResponseMetadata>
    <RequestId>1fb3a7e6-99f6-11e1-a4c3-27EXAMPLE804</RequestId>
  </ResponseMetadata>
</GetCredentialReportResponse>
`, base64.StdEncoding.EncodeToString(CredentialReportCSV())))
	case "GenerateServiceLastAccessedDetails":
		s.generateLastAccessed(w, r.PostForm)
	case "GetServiceLastAccessedDetails":
		s.getLastAccessed(w, r.PostForm)
	default:
		writeFault(w, &Fault{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2010-05-08", action)})
	}
}

func (s *Server) generateLastAccessed(w http.ResponseWriter, form url.Values) {
	arn := form.Get("Arn")
	if g := form.Get("Granularity"); g != "" && g != "ACTION_LEVEL" && g != "SERVICE_LEVEL" {
		writeFault(w, &Fault{http.StatusBadRequest, "InvalidInput", fmt.Sprintf("invalid Granularity %q", g)})
		return
	}
	for _, j := range LastAccessedJobs() {
		if j.ARN == arn {
			writeXML(w, fmt.Sprintf(`<GenerateServiceLastAccessedDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GenerateServiceLastAccessedDetailsResult>
    <JobId>%s</JobId>
  </GenerateServiceLastAccessedDetailsResult>
  <ResponseMetadata>
    <RequestId>2f2ba6c5-5b8d-11e5-8a0c-EXAMPLE0000</RequestId>
  </ResponseMetadata>
</GenerateServiceLastAccessedDetailsResponse>
`, j.JobID))
			return
		}
	}
	writeFault(w, &Fault{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The entity %s does not exist.", arn)})
}

func (s *Server) getLastAccessed(w http.ResponseWriter, form url.Values) {
	id := form.Get("JobId")
	var job *LastAccessedJob
	for _, j := range LastAccessedJobs() {
		if j.JobID == id {
			job = &j
		}
	}
	if job == nil {
		writeFault(w, &Fault{http.StatusBadRequest, "InvalidInput", fmt.Sprintf("Job %s does not exist.", id)})
		return
	}
	waits := s.cfg.JobPolls
	if waits == 0 {
		waits = 2
	}
	s.mu.Lock()
	s.polls[id]++
	n := s.polls[id]
	s.mu.Unlock()
	if n <= waits {
		writeXML(w, `<GetServiceLastAccessedDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetServiceLastAccessedDetailsResult>
    <IsTruncated>false</IsTruncated>
    <JobCreationDate>2024-03-12T09:15:31.466Z</JobCreationDate>
    <JobType>ACTION_LEVEL</JobType>
    <ServicesLastAccessed/>
    <JobStatus>IN_PROGRESS</JobStatus>
  </GetServiceLastAccessedDetailsResult>
  <ResponseMetadata>
    <RequestId>2f2ba6c5-5b8d-11e5-8a0c-EXAMPLE0001</RequestId>
  </ResponseMetadata>
</GetServiceLastAccessedDetailsResponse>
`)
		return
	}
	page := 1
	if m := form.Get("Marker"); m != "" {
		page = 0
		for i := 2; i <= len(job.Pages); i++ {
			if m == lastAccessedMarker(i) {
				page = i
			}
		}
		if page == 0 {
			writeFault(w, &Fault{http.StatusBadRequest, "InvalidInput", fmt.Sprintf("invalid marker %q", m)})
			return
		}
	}
	writeFile(w, job.Pages[page-1])
}

// accessKeyID returns the key id in a SigV4 Authorization header.
func accessKeyID(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

func writeFile(w http.ResponseWriter, name string) { writeXML(w, string(mustRead(name))) }

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	fmt.Fprint(w, body)
}

func writeFault(w http.ResponseWriter, f *Fault) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(f.Status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>4c2f1e8a-1d2b-4c3d-8e9f-EXAMPLE00000</RequestId>
</ErrorResponse>
`, f.Code, xmlEscape(f.Message))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

package faultproxy

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Options configure a Proxy. The zero value is ready to use.
type Options struct {
	// Seed seeds the generator behind Rule.Probability, so a run with the
	// same seed and request order injects the same faults.
	Seed uint64
	// Transport forwards requests upstream. Nil means a clone of
	// http.DefaultTransport without transparent decompression.
	Transport http.RoundTripper
}

// A Proxy forwards requests to an upstream server, injecting the faults
// its rules pick, and records every request. It is an http.Handler, safe
// for concurrent use; SetRules may be called while it serves.
type Proxy struct {
	target    *url.URL
	transport http.RoundTripper

	mu      sync.Mutex
	rng     *rand.Rand
	rules   []Rule
	matched []int // per rule: requests matched
	applied []int // per rule: requests the rule applied to
	log     []*Entry
}

// New returns a proxy that forwards to target, a base URL such as
// http://127.0.0.1:7070. It injects nothing until SetRules is called.
func New(target *url.URL, opts Options) *Proxy {
	t := opts.Transport
	if t == nil {
		dt := http.DefaultTransport.(*http.Transport).Clone()
		// The proxy must hand bodies on byte for byte: no gunzip.
		dt.DisableCompression = true
		dt.MaxIdleConnsPerHost = 64
		t = dt
	}
	return &Proxy{
		target:    target,
		transport: t,
		rng:       rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
	}
}

// SetRules replaces the rules and restarts their Nth and Times counts.
// The request log is kept.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append([]Rule(nil), rules...)
	p.matched = make([]int, len(rules))
	p.applied = make([]int, len(rules))
}

// An Entry records one request the proxy received.
type Entry struct {
	Seq    int // 1-based arrival order
	Op     Op
	Method string
	Bucket string
	Key    string // unescaped object key; "" for bucket operations
	Query  url.Values
	Header http.Header // request headers as received
	// Fault is the fault injected, None if the request was forwarded
	// untouched.
	Fault Kind
	// Status is the status sent to the client, 0 if no answer was sent
	// (the upstream could not be reached or the client went away).
	Status int
}

// Log returns a copy of the entries recorded so far, in arrival order.
func (p *Proxy) Log() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Entry, len(p.log))
	for i, e := range p.log {
		out[i] = *e
	}
	return out
}

// Entries returns the recorded entries of one operation, in arrival order.
func (p *Proxy) Entries(op Op) []Entry {
	var out []Entry
	for _, e := range p.Log() {
		if e.Op == op {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many requests of operation op were received for
// bucketKey ("bucket/key", or "bucket" for bucket operations); an empty
// bucketKey counts all requests of op.
func (p *Proxy) Count(op Op, bucketKey string) int {
	n := 0
	for _, e := range p.Log() {
		if e.Op != op {
			continue
		}
		bk := e.Bucket
		if e.Key != "" {
			bk += "/" + e.Key
		}
		if bucketKey == "" || bucketKey == bk {
			n++
		}
	}
	return n
}

// Keys returns, for operation op, how many requests each "bucket/key"
// received.
func (p *Proxy) Keys(op Op) map[string]int {
	m := make(map[string]int)
	for _, e := range p.Log() {
		if e.Op == op {
			m[e.Bucket+"/"+e.Key]++
		}
	}
	return m
}

// ResetLog forgets the recorded requests.
func (p *Proxy) ResetLog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = nil
}

// ServeHTTP records the request, injects the fault its rules pick and
// forwards it upstream unless the fault answers it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, bucket, key := classify(r)
	e := &Entry{Op: op, Method: r.Method, Bucket: bucket, Key: key,
		Query: r.URL.Query(), Header: r.Header.Clone()}

	p.mu.Lock()
	p.log = append(p.log, e)
	e.Seq = len(p.log)
	f := p.pick(r, op, bucket, key)
	e.Fault = f.Kind
	p.mu.Unlock()

	p.serve(w, r, e, f)
}

// answer records the status of e and sends the response headers, so that
// the log shows the status once the client has it.
func (p *Proxy) answer(w http.ResponseWriter, e *Entry, status int) {
	p.mu.Lock()
	e.Status = status
	p.mu.Unlock()
	w.WriteHeader(status)
}

// pick returns the fault of the first rule that applies. p.mu is held.
func (p *Proxy) pick(r *http.Request, op Op, bucket, key string) Fault {
	for i := range p.rules {
		rule := &p.rules[i]
		if !rule.matches(r, op, bucket, key) {
			continue
		}
		p.matched[i]++
		if rule.Nth > 0 && p.matched[i] != rule.Nth {
			continue
		}
		if rule.Times > 0 && p.applied[i] >= rule.Times {
			continue
		}
		if rule.Probability > 0 && p.rng.Float64() >= rule.Probability {
			continue
		}
		p.applied[i]++
		return rule.Fault
	}
	return Fault{}
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request, e *Entry, f Fault) {
	switch f.Kind {
	case Error:
		body := errorBody(w, r, e.Seq, f)
		p.answer(w, e, f.Status)
		w.Write(body)
		return
	case Delay:
		if !sleep(r.Context(), f.Delay) {
			return
		}
	}

	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme = p.target.Scheme
	out.URL.Host = p.target.Host
	out.Host = r.Host // signatures cover the Host the client used
	if r.ContentLength == 0 {
		out.Body = nil
	}
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		p.answer(w, e, http.StatusBadGateway)
		fmt.Fprintf(w, "faultproxy: forward: %v\n", err)
		return
	}
	defer resp.Body.Close()

	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	p.answer(w, e, resp.StatusCode)

	switch f.Kind {
	case Cut:
		if _, err := io.CopyN(w, resp.Body, f.Bytes); err != nil {
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			return
		}
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
		}
		return
	case Corrupt:
		if _, err := io.CopyN(w, resp.Body, f.Bytes); err != nil {
			return
		}
		var b [1]byte
		if n, _ := io.ReadFull(resp.Body, b[:]); n == 1 {
			b[0] ^= 0xff
			w.Write(b[:])
		}
	case Stall:
		if _, err := io.CopyN(w, resp.Body, f.Bytes); err != nil {
			return
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			return
		}
		if !sleep(r.Context(), f.Delay) {
			return
		}
	}
	io.Copy(w, resp.Body)
}

// errorBody sets the headers of S3's answer to a refused request and
// returns its body (none for HEAD).
func errorBody(w http.ResponseWriter, r *http.Request, seq int, f Fault) []byte {
	type s3Error struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string
		RequestID string `xml:"RequestId"`
	}
	body, err := xml.Marshal(s3Error{Code: f.Code, Message: f.Message,
		Resource: r.URL.Path, RequestID: fmt.Sprintf("faultproxy-%d", seq)})
	if err != nil { // cannot happen with string fields
		body = nil
	}
	body = append([]byte(xml.Header), body...)
	h := w.Header()
	for k, v := range f.Header {
		h[k] = v
	}
	h.Set("Content-Type", "application/xml")
	h.Set("x-amz-request-id", fmt.Sprintf("faultproxy-%d", seq))
	if r.Method == http.MethodHead {
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return body
}

// sleep waits d or until ctx is done, and reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

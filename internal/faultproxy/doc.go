// Package faultproxy is a reverse proxy for tests that sits in front of an
// S3-compatible server and injects the failures a long ingest run meets in
// the wild: throttling (503 SlowDown), server errors (500 InternalError),
// any other S3 error, connections cut or stalled in the middle of a
// response body, and slow answers. It records every request, so tests can
// assert how many objects were listed and fetched, and with which headers.
//
// A Proxy is an http.Handler; serve it with net/http/httptest:
//
//	p := faultproxy.New(upstream, faultproxy.Options{Seed: 1})
//	srv := httptest.NewServer(p)
//	defer srv.Close()
//	p.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(4096)})
//	// point the client at srv.URL with path-style addressing ...
//	fetched := p.Count(faultproxy.OpGetObject, "bucket/key")
//
// The proxy understands path-style requests (http://host/bucket/key) only,
// and keeps the Host header of the client's request so that signatures
// (AWS SigV4) made for the proxy's address stay valid upstream. It speaks
// HTTP/1.1: cutting a connection needs a hijackable one.
package faultproxy

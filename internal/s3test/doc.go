// Package s3test starts a real S3-compatible server for tests: versitygw
// with its posix backend on a temporary directory, listening on a free
// loopback port, with static credentials.
//
//	srv := s3test.Start(t) // skips when versitygw is absent, unless TAILOR_REQUIRE_S3 is set
//	srv.CreateBucket(t, "trail")
//	srv.Put(t, "trail", "AWSLogs/111122223333/CloudTrail/...", data)
//	client := srv.Client(srv.Endpoint)
//
// .ci/s3server.sh installs the binary; Binary says where tests look for it.
package s3test

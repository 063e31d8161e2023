// Package s3 reads CloudTrail logs from Amazon S3 or an S3-compatible
// server: it implements ingest.Source for s3://bucket/prefix.
//
// Listing reads only what the filter asks for. Under a prefix that holds
// the CloudTrail delivery layout,
//
//	<prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz
//	<prefix>/AWSLogs/<o-org-id>/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz
//
// List turns the filter's accounts, regions and time window into day
// prefixes, discovering with delimiter listings only the levels the filter
// leaves open (organization ids, accounts, regions, and years and months
// for a window without both ends), lists those days concurrently, and
// hands each selected object to its callback in key order. CloudTrail-Digest
// and CloudTrail-Insight folders are never listed; digest, insight and
// non-log keys met anyway are counted and skipped without being fetched.
// A prefix without an AWSLogs folder is listed recursively instead, and
// every key is still checked with ingest.ParseLogKey and Filter.MatchKey.
// ListStats tells how many keys were listed, skipped and selected.
//
// Open streams one object. A connection that breaks while the body is read
// (reset, unexpected EOF, a stall past Options.Retry.ReadTimeout) is
// repaired inside the returned reader: it asks again for the rest of the
// object with Range and If-Match, so the caller reads one uninterrupted
// stream with no byte repeated or lost, or gets ErrChanged if the object
// was replaced meanwhile. A whole-object GET of a file other than gzip is
// checked against the checksum S3 keeps, when it keeps one (ErrCorrupt);
// a gzip file carries its own CRC-32, which ingest checks as it inflates
// it; the ranged GETs of a resumed read carry none. Throttling, server
// errors and requests without an answer within Options.Retry.ReadTimeout
// are retried with exponential backoff. Gzip files are fetched with
// plain HTTP requests signed by the SDK's SigV4 signer, at the endpoint
// the SDK's rules give the bucket, rather than through the SDK's
// GetObject, whose middleware costs more CPU than the request itself (see
// getter); everything else goes through the SDK. Errors that retrying
// cannot fix name
// the bucket and key:
//
//	s3: get s3://trail/AWSLogs/.../x.json.gz: access denied: AccessDenied: Access Denied
package s3

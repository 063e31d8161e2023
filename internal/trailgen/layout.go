package trailgen

import (
	"path"
	"time"
)

// deliveryWindow is how often CloudTrail delivers a log file per account
// and region.
const deliveryWindow = 5 * time.Minute

// fileTime is the time stamp of the file a record delivered at d lands
// in: the end of d's delivery window. Every record in a file is older
// than its file time.
func fileTime(d time.Time) time.Time {
	return d.Truncate(deliveryWindow).Add(deliveryWindow)
}

// accountDir is the key prefix of an account's logs:
// [prefix/]AWSLogs/[org/]<account>.
func (w *world) accountDir(account string) string { return w.trailDir(w.org, account) }

// trailDir is the key prefix of an account's logs in the trail of
// organization org ("" for an account trail).
func (w *world) trailDir(org, account string) string {
	p := "AWSLogs"
	if org != "" {
		p += "/" + org
	}
	p += "/" + account
	if w.prefix != "" {
		p = w.prefix + "/" + p
	}
	return p
}

// logKey is the object key of a log file:
// .../CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<id>.json.gz
func (w *world) logKey(account, region string, t time.Time, id string) string {
	return w.trailKey(w.org, account, region, t, id)
}

// trailKey is logKey in the trail of organization org ("" for an account
// trail).
func (w *world) trailKey(org, account, region string, t time.Time, id string) string {
	t = t.UTC()
	name := account + "_CloudTrail_" + region + "_" + t.Format("20060102T1504Z") + "_" + id + ".json.gz"
	return path.Join(w.trailDir(org, account), "CloudTrail", region, t.Format("2006/01/02"), name)
}

// digestKey is the object key of a digest file:
// .../CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail-Digest_<region>_<trail>_<region>_<yyyymmddThhmmss>Z.json.gz
func (w *world) digestKey(account, region string, end time.Time) string {
	end = end.UTC()
	name := account + "_CloudTrail-Digest_" + region + "_" + w.trail + "_" + region + "_" + end.Format("20060102T150405Z") + ".json.gz"
	return path.Join(w.accountDir(account), "CloudTrail-Digest", region, end.Format("2006/01/02"), name)
}

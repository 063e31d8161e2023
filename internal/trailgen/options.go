package trailgen

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrOptions is wrapped by the errors WriteArchive returns for options it
// cannot honour.
var ErrOptions = errors.New("trailgen: invalid options")

// Options configures WriteArchive. The zero value writes about 64 MiB of
// records for 3 accounts in 3 regions over 7 days from 2026-01-01, with
// seed 0, without digest files, on all cores.
type Options struct {
	// Size is about how many uncompressed bytes of records to write.
	// Zero means 64 MiB. The cast's own activity is always written, so a
	// very small Size yields somewhat more than asked.
	Size int64
	// Accounts is the number of accounts (default 3).
	Accounts int
	// Regions is the number of regions, taken in order from Regions()
	// (default 3). The first is always us-east-1.
	Regions int
	// OrgID, when set (o-xxxxxxxxxx), writes the organization trail
	// layout AWSLogs/<OrgID>/<account>/CloudTrail/...
	OrgID string
	// Overlap, with OrgID, also delivers every record through an account
	// trail of each account, as AWS does when an account keeps its own
	// trail beside the organization's: the same records, byte for byte,
	// under AWSLogs/<account>/CloudTrail/..., batched otherwise (other
	// files, split elsewhere, delivered one to nine minutes later). The
	// organization trail's files are those written without Overlap.
	Overlap bool
	// Prefix is an optional key prefix before AWSLogs/.
	Prefix string
	// Start is the first day (UTC midnight of its date; default
	// 2026-01-01).
	Start time.Time
	// Days is the number of days (default 7).
	Days int
	// Seed selects the archive. The same seed and options give
	// byte-identical files.
	Seed uint64
	// Digests also writes CloudTrail-Digest files, one per account,
	// region and hour.
	Digests bool
	// Workers is how many files are generated at once (default: all
	// cores). It changes the speed, never the output.
	Workers int
}

// Regions returns the regions an archive uses, in the order Options.Regions
// takes them.
func Regions() []string {
	return []string{"us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1",
		"us-east-2", "eu-west-2", "ca-central-1", "ap-south-1", "sa-east-1", "eu-north-1"}
}

func (o Options) withDefaults() Options {
	if o.Size == 0 {
		o.Size = 64 << 20
	}
	if o.Accounts == 0 {
		o.Accounts = 3
	}
	if o.Regions == 0 {
		o.Regions = 3
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	o.Start = time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day(), 0, 0, 0, 0, time.UTC)
	if o.Days == 0 {
		o.Days = 7
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	o.Prefix = strings.Trim(o.Prefix, "/")
	return o
}

func (o Options) validate() error {
	switch {
	case o.Size < 0:
		return fmt.Errorf("%w: size %d is negative", ErrOptions, o.Size)
	case o.Accounts < 0 || o.Accounts > 1000:
		return fmt.Errorf("%w: accounts %d not in 1..1000", ErrOptions, o.Accounts)
	case o.Regions < 0 || o.Regions > len(Regions()):
		return fmt.Errorf("%w: regions %d not in 1..%d", ErrOptions, o.Regions, len(Regions()))
	case o.Days < 0 || o.Days > 3660:
		return fmt.Errorf("%w: days %d not in 1..3660", ErrOptions, o.Days)
	case o.Overlap && o.OrgID == "":
		return fmt.Errorf("%w: overlapping trails need an organization id", ErrOptions)
	case o.OrgID != "" && !validOrgID(o.OrgID):
		return fmt.Errorf("%w: organization id %q is not o- followed by 10 to 32 lowercase letters or digits", ErrOptions, o.OrgID)
	}
	return nil
}

func validOrgID(s string) bool {
	if !strings.HasPrefix(s, "o-") || len(s) < 12 || len(s) > 34 {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ParseSize reads a byte count such as "1GiB", "512MiB", "200MB", "64k" or
// "1048576". Binary (KiB, MiB, GiB) and decimal (kB, MB, GB) units are
// both understood; a bare K, M or G is binary.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("%w: size %q is not a number with an optional unit", ErrOptions, s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("%w: size %q has an unknown unit %q", ErrOptions, s, unit)
	}
	return int64(f * mult), nil
}

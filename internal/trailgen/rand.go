package trailgen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// mix hashes a seed and a path of integers into one well-spread value
// (splitmix64 steps). Every random stream in the generator is derived
// from the run's seed through mix, so a stream depends only on what it
// is for, never on the order work happens in.
func mix(seed uint64, parts ...uint64) uint64 {
	h := seed ^ 0x9E3779B97F4A7C15
	for _, p := range parts {
		h ^= p + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h = splitmix(h)
	}
	return splitmix(h)
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// hashString folds a string into a uint64 for use as a mix part.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// rng is the generator's random source with the helpers records need.
type rng struct{ *rand.Rand }

func newRNG(seed uint64, parts ...uint64) rng {
	s := mix(seed, parts...)
	return rng{rand.New(rand.NewPCG(s, splitmix(s)))}
}

// pick returns one element of list.
func pick[T any](r rng, list []T) T { return list[r.IntN(len(list))] }

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// between returns a duration in [lo, hi).
func (r rng) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// lognormal returns exp(N(0, sigma²)).
func (r rng) lognormal(sigma float64) float64 { return math.Exp(r.NormFloat64() * sigma) }

const (
	lowerHex   = "0123456789abcdef"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnumChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base32Key  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base64Std  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func (r rng) chars(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

func (r rng) hex(n int) string    { return r.chars(lowerHex, n) }
func (r rng) alnum(n int) string  { return r.chars(alnumChars, n) }
func (r rng) ualnum(n int) string { return r.chars(upperAlnum, n) }

// uuid returns a random (version 4) UUID in its text form.
func (r rng) uuid() string {
	var b [36]byte
	u1, u2 := r.Uint64(), r.Uint64()
	u1 = u1&^0xF000 | 0x4000                           // version 4
	u2 = u2&^(0xC<<60) | 0x8<<60                       // variant 10xx
	put := func(off int, v uint64, n int, shift int) { // n hex digits from v>>shift
		for i := 0; i < n; i++ {
			b[off+i] = lowerHex[(v>>(shift+4*(n-1-i)))&0xF]
		}
	}
	put(0, u1, 8, 32)
	b[8] = '-'
	put(9, u1, 4, 16)
	b[13] = '-'
	put(14, u1, 4, 0)
	b[18] = '-'
	put(19, u2, 4, 48)
	b[23] = '-'
	put(24, u2, 12, 0)
	return string(b[:])
}

// b64 returns n characters that look like base64 data, ending with the
// padding a real encoding of that length would have.
func (r rng) b64(n int) string {
	s := []byte(r.chars(base64Std, n))
	if n%4 == 0 && n > 4 && r.IntN(3) == 0 {
		s[n-1] = '='
	}
	return string(s)
}

// accessKey returns an access key id: prefix (AKIA, ASIA), the account's
// 8-character segment, then 8 random characters, as AWS issues them.
func (r rng) accessKey(prefix, seg string) string {
	return prefix + seg + r.chars(base32Key, 8)
}

// uniqueID returns an IAM unique id (AIDA..., AROA..., ANPA...).
func (r rng) uniqueID(prefix, seg string) string {
	return prefix + seg + r.chars(base32Key, 9)
}

// accountSegment is the part of access key and unique ids that AWS
// derives from the account: 8 characters of the key alphabet.
func accountSegment(account string) string {
	n, _ := strconv.ParseUint(account, 10, 64)
	h := splitmix(n)
	b := make([]byte, 8)
	for i := range b {
		b[i] = base32Key[h&31]
		h >>= 5
	}
	return string(b)
}

// ip4 formats an IPv4 address.
func ip4(a, b, c, d int) string {
	return strconv.Itoa(a) + "." + strconv.Itoa(b) + "." + strconv.Itoa(c) + "." + strconv.Itoa(d)
}

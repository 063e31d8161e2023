package usage

import (
	"math"
	"math/bits"
)

// sketch estimates how many distinct resources were folded into a row: a
// HyperLogLog with 2^sketchP one-byte registers. Two sketches merge by
// taking the larger register, so the sketch of a union does not depend on
// how the inputs were split or ordered, and merged indexes equal the index
// of the union byte for byte.
type sketch [1 << sketchP]uint8

const sketchP = 10

// hash64 is FNV-1a followed by a 64-bit finalizer (splitmix64): stable
// across processes and releases, which the stored sketches rely on.
func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

func (s *sketch) add(v string) {
	h := hash64(v)
	idx := h >> (64 - sketchP)
	rank := uint8(bits.LeadingZeros64(h<<sketchP|1<<(sketchP-1)) + 1)
	if rank > s[idx] {
		s[idx] = rank
	}
}

func (s *sketch) merge(o *sketch) {
	for i, v := range o {
		if v > s[i] {
			s[i] = v
		}
	}
}

// estimate returns the estimated number of distinct values added.
func (s *sketch) estimate() int64 {
	const m = float64(len(s))
	sum, zeros := 0.0, 0
	for _, v := range s {
		sum += math.Ldexp(1, -int(v))
		if v == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting for small sets
	}
	return int64(math.Round(e))
}

package rightsize

import "math/bits"

// bitset is a set of action ids.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (s bitset) set(i int32)      { s[i>>6] |= 1 << (uint(i) & 63) }
func (s bitset) has(i int32) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }

func (s bitset) clone() bitset { return append(bitset(nil), s...) }

// or adds o to s.
func (s bitset) or(o bitset) {
	for i := range s {
		s[i] |= o[i]
	}
}

// and keeps in s what is in o.
func (s bitset) and(o bitset) {
	for i := range s {
		s[i] &= o[i]
	}
}

// andNot removes o from s.
func (s bitset) andNot(o bitset) {
	for i := range s {
		s[i] &^= o[i]
	}
}

func (s bitset) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

func (s bitset) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

// each calls fn with every id in s, in increasing order.
func (s bitset) each(fn func(int32)) {
	for i, w := range s {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(int32(i*64 + t))
			w &= w - 1
		}
	}
}

// subsetOf reports whether every id of s is in o.
func (s bitset) subsetOf(o bitset) bool {
	for i, w := range s {
		if w&^o[i] != 0 {
			return false
		}
	}
	return true
}

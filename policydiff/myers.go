package policydiff

import "sort"

// match is a pair of equal lines: line a of the old text and line b of the
// new one (0-based).
type match struct{ a, b int }

// commonLines returns a common subsequence of a and b as matched pairs in
// increasing order: the lines an edit script keeps. It is Myers' O(ND)
// algorithm in its linear-space form ("An O(ND) Difference Algorithm and
// Its Variations", 1986, section 4b): find the middle snake of a shortest
// path, recurse on both sides of it. Time is O((N+M)·D), memory O(N+M),
// and the result is a longest common subsequence, unless that time would
// pass costBudget: then, as patience diff does, the lines that occur once
// on each side anchor the texts (a longest increasing run of them, found
// in O(K log K)), and the stretches between anchors are compared again,
// each on its own; a stretch too costly and without such a line is
// replaced whole. Suggestions that spell out thousands of actions against
// a policy of a few lines are where the budget matters.
func commonLines(a, b []int) []match { return commonLinesWithin(a, b, costBudget) }

// commonLinesWithin is commonLines with a budget of its own.
func commonLinesWithin(a, b []int, budget int) []match {
	d := differ{a: a, b: b, budget: budget}
	// Diagonals reach from -(N+M) - (N+M+1)/2 - 1 to as far the other way.
	n := 2*(len(a)+len(b)) + 4
	d.vf = make([]int, 2*n+1)
	d.vb = make([]int, 2*n+1)
	d.off = n
	d.compare(0, len(a), 0, len(b))
	return d.out
}

// costBudget bounds the steps, (N+M)·D, one middle-snake search may take
// before commonLines anchors on unique lines instead: about 50 ms here.
const costBudget = 60_000_000

type differ struct {
	a, b   []int
	vf, vb []int // furthest x on each diagonal, forward and backward
	off    int   // index of diagonal 0 in vf and vb
	out    []match
	budget int // see costBudget
}

// compare appends the matches of a[a0:a1] and b[b0:b1].
func (d *differ) compare(a0, a1, b0, b1 int) {
	for a0 < a1 && b0 < b1 && d.a[a0] == d.b[b0] {
		d.out = append(d.out, match{a0, b0})
		a0++
		b0++
	}
	var suffix int
	for a0 < a1 && b0 < b1 && d.a[a1-1] == d.b[b1-1] {
		a1--
		b1--
		suffix++
	}
	if a0 < a1 && b0 < b1 {
		// Neither side is empty and they start and end differently: the
		// edit distance is at least 2, and each half of the middle snake
		// is a smaller problem.
		if x, y, u, v, ok := d.middleSnake(a0, a1, b0, b1); ok {
			d.compare(a0, x, b0, y)
			for ; x < u; x, y = x+1, y+1 {
				d.out = append(d.out, match{x, y})
			}
			d.compare(u, a1, v, b1)
		} else {
			d.anchored(a0, a1, b0, b1)
		}
	}
	for i := 0; i < suffix; i++ {
		d.out = append(d.out, match{a1 + i, b1 + i})
	}
}

// middleSnake finds the middle snake of a shortest edit path from
// (a0, b0) to (a1, b1): the diagonal run from (x, y) to (u, v), in absolute
// line numbers, that the forward and backward searches meet on.
// It gives up (ok false) when the search would pass d.budget steps.
func (d *differ) middleSnake(a0, a1, b0, b1 int) (x, y, u, v int, ok bool) {
	n, m := a1-a0, b1-b0
	delta := n - m
	odd := delta&1 != 0
	vf, vb, off := d.vf, d.vb, d.off
	// Coordinates below are relative to (a0, b0); diagonal k is x - y.
	vf[off+1] = 0
	vb[off+delta-1] = n
	maxD := (n + m + 1) / 2
	for D := 0; D <= maxD; D++ {
		if D*(n+m) > d.budget {
			return 0, 0, 0, 0, false
		}
		// Forward: the furthest-reaching path with D edits on each
		// diagonal k in [-D, D].
		for k := -D; k <= D; k += 2 {
			var x int
			if k == -D || (k != D && vf[off+k-1] < vf[off+k+1]) {
				x = vf[off+k+1] // down: an insertion
			} else {
				x = vf[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			x0, y0 := x, y
			for x < n && y < m && d.a[a0+x] == d.b[b0+y] {
				x++
				y++
			}
			vf[off+k] = x
			// The backward paths of D-1 edits lie on the diagonals
			// delta-(D-1) .. delta+(D-1).
			if odd && k >= delta-(D-1) && k <= delta+(D-1) && x >= vb[off+k] {
				return a0 + x0, b0 + y0, a0 + x, b0 + y, true
			}
		}
		// Backward: from (n, m), the path with D edits reaching the
		// smallest x on each diagonal c in [delta-D, delta+D].
		for k := -D; k <= D; k += 2 {
			c := delta + k
			var x int
			if k == D || (k != -D && vb[off+c-1] < vb[off+c+1]-1) {
				x = vb[off+c-1] // up: an insertion, backwards
			} else {
				x = vb[off+c+1] - 1 // left: a deletion, backwards
			}
			y := x - c
			x1, y1 := x, y
			for x > 0 && y > 0 && d.a[a0+x-1] == d.b[b0+y-1] {
				x--
				y--
			}
			vb[off+c] = x
			if !odd && c >= -D && c <= D && x <= vf[off+c] {
				return a0 + x, b0 + y, a0 + x1, b0 + y1, true
			}
		}
	}
	// Unreachable: the searches meet after at most (n+m+1)/2 rounds.
	panic("policydiff: no middle snake")
}

// anchored appends matches of a[a0:a1] and b[b0:b1] found through the
// lines that occur exactly once in each: a longest run of them in the same
// order on both sides (patience sorting), each stretch between two of them
// compared on its own. Without such lines the stretch has no matches.
func (d *differ) anchored(a0, a1, b0, b1 int) {
	type seen struct{ na, nb, ia, ib int }
	count := map[int]*seen{}
	for i := a0; i < a1; i++ {
		s := count[d.a[i]]
		if s == nil {
			s = &seen{}
			count[d.a[i]] = s
		}
		s.na++
		s.ia = i
	}
	for j := b0; j < b1; j++ {
		if s := count[d.b[j]]; s != nil {
			s.nb++
			s.ib = j
		}
	}
	// The unique pairs in the order of a, then a longest run increasing
	// in b: patience sorting with back links.
	var pairs []match
	for i := a0; i < a1; i++ {
		if s := count[d.a[i]]; s.na == 1 && s.nb == 1 {
			pairs = append(pairs, match{s.ia, s.ib})
		}
	}
	if len(pairs) == 0 {
		return
	}
	var tops []int // index in pairs of the top of each pile
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		i := sort.Search(len(tops), func(t int) bool { return pairs[tops[t]].b >= p.b })
		prev[k] = -1
		if i > 0 {
			prev[k] = tops[i-1]
		}
		if i == len(tops) {
			tops = append(tops, k)
		} else {
			tops[i] = k
		}
	}
	run := make([]match, len(tops))
	for k, i := tops[len(tops)-1], len(tops)-1; i >= 0; k, i = prev[k], i-1 {
		run[i] = pairs[k]
	}
	x, y := a0, b0
	for _, m := range run {
		d.compare(x, m.a, y, m.b)
		d.out = append(d.out, m)
		x, y = m.a+1, m.b+1
	}
	d.compare(x, a1, y, b1)
}

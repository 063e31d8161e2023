package policydiff

import (
	"math/rand/v2"
	"testing"
	"time"
)

// lcsLength is the textbook dynamic program: the length of a longest common
// subsequence of a and b.
func lcsLength(a, b []int) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				dp[i][j] = dp[i+1][j+1] + 1
			case dp[i+1][j] > dp[i][j+1]:
				dp[i][j] = dp[i+1][j]
			default:
				dp[i][j] = dp[i][j+1]
			}
		}
	}
	return dp[0][0]
}

// checkMatches fails unless ms is a common subsequence of a and b (strictly
// increasing pairs of equal lines) as long as the longest one.
func checkMatches(t *testing.T, a, b []int, ms []match) {
	t.Helper()
	checkCommon(t, a, b, ms)
	if want := lcsLength(a, b); len(ms) != want {
		t.Fatalf("a=%v b=%v: %d matches, a longest common subsequence has %d", a, b, len(ms), want)
	}
}

// checkCommon fails unless ms is a common subsequence of a and b: strictly
// increasing pairs of equal lines.
func checkCommon(t *testing.T, a, b []int, ms []match) {
	t.Helper()
	for i, m := range ms {
		if m.a < 0 || m.a >= len(a) || m.b < 0 || m.b >= len(b) {
			t.Fatalf("a=%v b=%v: match %v out of range", a, b, m)
		}
		if a[m.a] != b[m.b] {
			t.Fatalf("a=%v b=%v: match %v pairs different lines", a, b, m)
		}
		if i > 0 && (m.a <= ms[i-1].a || m.b <= ms[i-1].b) {
			t.Fatalf("a=%v b=%v: matches not increasing at %d: %v", a, b, i, ms)
		}
	}
}

func TestCommonLinesCases(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
	}{
		{"both empty", nil, nil},
		{"insert all", nil, []int{1, 2, 3}},
		{"delete all", []int{1, 2, 3}, nil},
		{"equal", []int{1, 2, 3}, []int{1, 2, 3}},
		{"one changed", []int{1, 2, 3}, []int{1, 4, 3}},
		{"disjoint", []int{1, 2, 3}, []int{4, 5, 6, 7}},
		{"odd delta", []int{1, 2, 3, 4, 5}, []int{2, 4}},
		{"even delta", []int{1, 2, 3, 4}, []int{3, 4, 1, 2}},
		{"paper example", []int{'a', 'b', 'c', 'a', 'b', 'b', 'a'}, []int{'c', 'b', 'a', 'b', 'a', 'c'}},
		{"repeats", []int{1, 1, 1, 2, 1, 1}, []int{1, 2, 1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMatches(t, tt.a, tt.b, commonLines(tt.a, tt.b))
		})
	}
}

// TestCommonLinesRandom compares the matches with the dynamic program on
// many small random inputs over small alphabets, where repeated lines make
// many equally long answers.
func TestCommonLinesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		alpha := 2 + r.IntN(4)
		a := make([]int, r.IntN(14))
		b := make([]int, r.IntN(14))
		for j := range a {
			a[j] = r.IntN(alpha)
		}
		for j := range b {
			b[j] = r.IntN(alpha)
		}
		checkMatches(t, a, b, commonLines(a, b))
	}
}

func TestCommonLinesLarge(t *testing.T) {
	// A long text with scattered edits: the result must still be minimal.
	r := rand.New(rand.NewPCG(3, 4))
	a := make([]int, 3000)
	for i := range a {
		a[i] = r.IntN(500)
	}
	var b []int
	for _, x := range a {
		switch r.IntN(20) {
		case 0: // drop
		case 1:
			b = append(b, x, r.IntN(500))
		default:
			b = append(b, x)
		}
	}
	ms := commonLines(a, b)
	checkMatches(t, a, b, ms)
}

// TestCommonLinesAnchored forces the anchored path with tiny budgets on
// random inputs: the matches must still be a common subsequence, and keep
// every line that occurs once on each side and in order when no search
// could be afforded.
func TestCommonLinesAnchored(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 20000; i++ {
		alpha := 2 + r.IntN(12)
		a := make([]int, r.IntN(20))
		b := make([]int, r.IntN(20))
		for j := range a {
			a[j] = r.IntN(alpha)
		}
		for j := range b {
			b[j] = r.IntN(alpha)
		}
		budget := r.IntN(40)
		ms := commonLinesWithin(a, b, budget)
		checkCommon(t, a, b, ms)
		if budget == 0 && len(a) > 0 && len(b) > 0 && a[0] != b[0] && a[len(a)-1] != b[len(b)-1] && len(ms) == 0 {
			// Nothing matched: then no line is unique on both sides.
			for _, x := range a {
				na, nb := 0, 0
				for _, y := range a {
					if y == x {
						na++
					}
				}
				for _, y := range b {
					if y == x {
						nb++
					}
				}
				if na == 1 && nb == 1 {
					t.Fatalf("a=%v b=%v: line %d is unique on both sides, yet nothing matched", a, b, x)
				}
			}
		}
	}
}

// TestCommonLinesHuge is the shape that made rightsize quadratic: a policy
// of a few hundred lines against a suggestion of 150,000. It must finish
// fast and keep the lines the two share.
func TestCommonLinesHuge(t *testing.T) {
	var a, b []int
	for i := 0; i < 280; i++ {
		a = append(a, i)
	}
	next := 1000
	for i := 0; i < 280; i++ {
		b = append(b, i)
		for k := 0; k < 550; k++ {
			b = append(b, next)
			next++
		}
	}
	start := time.Now()
	ms := commonLines(a, b)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("%d against %d lines took %v", len(a), len(b), d)
	}
	checkCommon(t, a, b, ms)
	if len(ms) != len(a) {
		t.Errorf("%d matches, want all %d lines of a", len(ms), len(a))
	}
}

func BenchmarkCommonLinesHuge(b *testing.B) {
	var x, y []int
	for i := 0; i < 280; i++ {
		x = append(x, i)
	}
	next := 1000
	for i := 0; i < 280; i++ {
		y = append(y, i)
		for k := 0; k < 550; k++ {
			y = append(y, next)
			next++
		}
	}
	for b.Loop() {
		commonLines(x, y)
	}
}

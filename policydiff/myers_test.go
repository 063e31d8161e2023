package policydiff

import (
	"math/rand/v2"
	"testing"
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
	if want := lcsLength(a, b); len(ms) != want {
		t.Fatalf("a=%v b=%v: %d matches, a longest common subsequence has %d", a, b, len(ms), want)
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

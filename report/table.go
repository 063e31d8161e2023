package report

import (
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Table is text in aligned columns, for a terminal. Cells must not hold
// newlines.
type Table struct {
	Header []string
	Rows   [][]string
	// Flex marks the columns that may be cut (ending in "…") to make the
	// table fit; the others keep their width. A nil Flex makes every
	// column flexible.
	Flex []bool
	// Right marks columns aligned right (numbers).
	Right []bool
	// Min is the narrowest each flexible column is cut to; 0 (or a
	// missing entry) means 8.
	Min []int
}

// tableGap separates columns.
const tableGap = "  "

// minFlexWidth is the narrowest a flexible column is cut to.
const minFlexWidth = 8

// Render writes the table, cut to fit width characters when width > 0.
// Lines carry no trailing spaces.
func (t *Table) Render(w io.Writer, width int) error {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	widths := make([]int, cols)
	measure := func(row []string) {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	if width > 0 {
		t.fit(widths, width)
	}
	var b strings.Builder
	line := func(row []string) {
		b.Reset()
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(row) {
				c = cutText(row[i], widths[i])
			}
			pad := widths[i] - utf8.RuneCountInString(c)
			if i > 0 {
				b.WriteString(tableGap)
			}
			if t.right(i) {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(c)
			} else {
				b.WriteString(c)
				if i < cols-1 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			}
		}
		s := strings.TrimRight(b.String(), " ")
		io.WriteString(w, s+"\n")
	}
	if len(t.Header) > 0 {
		line(t.Header)
	}
	for _, r := range t.Rows {
		line(r)
	}
	return nil
}

func (t *Table) flex(i int) bool { return t.Flex == nil || (i < len(t.Flex) && t.Flex[i]) }

func (t *Table) min(i int) int {
	if i < len(t.Min) && t.Min[i] > 0 {
		return t.Min[i]
	}
	return minFlexWidth
}
func (t *Table) right(i int) bool { return i < len(t.Right) && t.Right[i] }

// fit narrows the flexible columns to fit width: it finds the largest
// level such that cutting every flexible column wider than it (but not
// below its minimum) makes the table fit, then gives the characters left
// over back to the cut columns, left to right. Columns narrower than the
// level keep their width.
func (t *Table) fit(widths []int, width int) {
	fixed := len(tableGap) * (len(widths) - 1)
	maxFlex := 0
	for i, w := range widths {
		if t.flex(i) {
			maxFlex = max(maxFlex, w)
		} else {
			fixed += w
		}
	}
	natural := slices.Clone(widths)
	level := func(l int) int {
		n := 0
		for i, w := range natural {
			if t.flex(i) {
				n += max(t.min(i), min(w, l))
			}
		}
		return n
	}
	budget := width - fixed
	if level(maxFlex) <= budget {
		return
	}
	l := maxFlex
	for l > 0 && level(l) > budget {
		l--
	}
	for i, w := range natural {
		if t.flex(i) {
			widths[i] = max(t.min(i), min(w, l))
		}
	}
	spare := budget - level(l)
	for i := range widths {
		if spare <= 0 {
			break
		}
		if t.flex(i) && widths[i] < natural[i] {
			widths[i]++
			spare--
		}
	}
}

// cutText shortens s to n characters, ending it with "…" when cut.
func cutText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return string([]rune(s)[:n-1]) + "…"
}

// wrapText breaks text into lines of at most width characters at spaces,
// each after the first prefixed by indent; width <= 0 means no limit. A
// word longer than a line is left whole.
func wrapText(text string, width int, first, indent string) string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return strings.TrimRight(first, " ")
	}
	var b strings.Builder
	b.WriteString(first)
	col := utf8.RuneCountInString(first)
	start := col
	for i, w := range words {
		n := utf8.RuneCountInString(w)
		if i > 0 {
			if width > 0 && col+1+n > width && col > start {
				b.WriteString("\n")
				b.WriteString(indent)
				col = utf8.RuneCountInString(indent)
				start = col
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

package policydiff

import (
	"bytes"
	"strconv"

	"github.com/tailor-sec/tailor/policy"
)

// Options label and shape a unified diff. The zero value gives the labels
// "a" and "b" and three lines of context.
type Options struct {
	// FromFile and ToFile name the old and new text in the "---" and
	// "+++" lines; "" means "a" and "b". patch reads them as file names.
	FromFile, ToFile string
	// Context is the number of unchanged lines shown around each change:
	// 0 means 3, a negative number means none.
	Context int
}

func (o Options) context() int {
	switch {
	case o.Context == 0:
		return 3
	case o.Context < 0:
		return 0
	}
	return o.Context
}

// Unified returns the unified diff that turns from into to, as `diff -u`
// writes it: a "---" and a "+++" line, then hunks under "@@ -l,n +l,n @@"
// headers with context lines (' '), removed lines ('-') and added lines
// ('+'). A last line without a newline is followed by
// "\ No newline at end of file". Hunks whose context would overlap or
// touch are merged. Equal texts give an empty diff (nil).
//
// The edit script is a shortest one (see the package documentation), so
// the diff applies with patch(1): patch turns from into exactly to.
func Unified(from, to []byte, opts Options) []byte {
	a, b := splitLines(from), splitLines(to)
	ids := make(map[string]int, len(a)+len(b))
	intern := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	ms := commonLines(intern(a), intern(b))
	changes := changeRegions(ms, len(a), len(b))
	if len(changes) == 0 {
		return nil
	}
	ctx := opts.context()
	var out bytes.Buffer
	fromName, toName := opts.FromFile, opts.ToFile
	if fromName == "" {
		fromName = "a"
	}
	if toName == "" {
		toName = "b"
	}
	out.WriteString("--- " + fromName + "\n")
	out.WriteString("+++ " + toName + "\n")
	for i := 0; i < len(changes); {
		// Gather the changes whose context touches into one hunk.
		j := i + 1
		for j < len(changes) && changes[j].a0-changes[j-1].a1 <= 2*ctx {
			j++
		}
		first, last := changes[i], changes[j-1]
		a0 := max(first.a0-ctx, 0)
		a1 := min(last.a1+ctx, len(a))
		b0 := first.b0 - (first.a0 - a0)
		b1 := last.b1 + (a1 - last.a1)
		out.WriteString("@@ -" + hunkRange(a0, a1-a0) + " +" + hunkRange(b0, b1-b0) + " @@\n")
		ai, bi := a0, b0
		for _, c := range changes[i:j] {
			for ; ai < c.a0; ai, bi = ai+1, bi+1 {
				writeLine(&out, ' ', a[ai])
			}
			for ; ai < c.a1; ai++ {
				writeLine(&out, '-', a[ai])
			}
			for ; bi < c.b1; bi++ {
				writeLine(&out, '+', b[bi])
			}
		}
		for ; ai < a1; ai++ {
			writeLine(&out, ' ', a[ai])
		}
		i = j
	}
	return out.Bytes()
}

// Policies renders from and to with [Render] and returns the unified diff
// between the two texts.
func Policies(from, to *policy.Policy, opts Options) ([]byte, error) {
	a, err := Render(from)
	if err != nil {
		return nil, err
	}
	b, err := Render(to)
	if err != nil {
		return nil, err
	}
	return Unified(a, b, opts), nil
}

// region is a run of lines that differ: a[a0:a1] is replaced by b[b0:b1].
type region struct{ a0, a1, b0, b1 int }

// changeRegions turns the matched lines into the runs between them.
func changeRegions(ms []match, na, nb int) []region {
	var out []region
	i, j := 0, 0
	for _, m := range append(ms, match{na, nb}) {
		if m.a > i || m.b > j {
			out = append(out, region{i, m.a, j, m.b})
		}
		i, j = m.a+1, m.b+1
	}
	return out
}

// hunkRange formats one side of a hunk header from its 0-based start and
// its length: "l" for one line, "l,n" otherwise, and for an empty range the
// line before it, as GNU diff writes them.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	}
	return strconv.Itoa(start+1) + "," + strconv.Itoa(n)
}

// splitLines splits text into lines, each with its newline; the last one
// may lack it.
func splitLines(text []byte) []string {
	var out []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			out = append(out, string(text))
			break
		}
		out = append(out, string(text[:i+1]))
		text = text[i+1:]
	}
	return out
}

func writeLine(b *bytes.Buffer, mark byte, line string) {
	b.WriteByte(mark)
	b.WriteString(line)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

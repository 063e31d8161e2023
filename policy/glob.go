package policy

import "strings"

// tokKind is the kind of one element of a compiled wildcard pattern.
type tokKind uint8

const (
	tLit     tokKind = iota // literal text
	tOne                    // '?': any one character
	tOneSeg                 // '?' in an ARN segment: any one character but ':'
	tStar                   // '*': any run of characters
	tStarSeg                // '*' inside an ARN segment: any run without ':'
	tVar                    // a policy variable, substituted at evaluation
)

// token is one element of a pattern. For tLit, text is the literal (lower
// case when the pattern folds case). For tVar, text is the lowercased
// context key and def the default value when hasDef.
type token struct {
	kind   tokKind
	text   string
	def    string
	hasDef bool
	key    string // tVar: the key as written
}

// pattern is a compiled IAM wildcard pattern: an Action, Resource or
// condition value.
type pattern struct {
	raw  string
	toks []token
	fold bool // match ASCII case-insensitively (actions)
	vars int  // number of tVar tokens
}

// patternMode says how '*' and '?' behave.
type patternMode uint8

const (
	modeAction   patternMode = iota // case-insensitive, wildcards match anything
	modeString                      // StringLike: case-sensitive, wildcards match anything
	modeResource                    // Resource element: wildcards stay in their ARN segment
	modeLiteral                     // no wildcards (StringEquals values); variables only
)

// compilePattern compiles s. When vars is true, ${...} policy variables and
// the ${*} ${?} ${$} escapes are recognised; otherwise they are plain text,
// as in policies of Version 2008-10-17. In a Resource pattern they are
// recognised only in the resource part of the ARN, after the fifth colon of
// the text as written; before it they are plain text (IAM User Guide, "IAM
// policy elements: Variables and tags", Resource element: "You can't use a
// variable to replace parts of the ARN before the fifth colon").
func compilePattern(s string, mode patternMode, vars bool) pattern {
	p := pattern{raw: s, fold: mode == modeAction}
	varsFrom := 0
	if vars && mode == modeResource {
		varsFrom = resourcePart(s)
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t := lit.String()
			if p.fold {
				t = asciiLower(t)
			}
			p.toks = append(p.toks, token{kind: tLit, text: t})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$' && vars && i >= varsFrom && i+1 < len(s) && s[i+1] == '{':
			v, n, ok := parseVariable(s[i:])
			if !ok {
				lit.WriteByte(c)
				continue
			}
			i += n - 1
			if v.kind == tLit {
				lit.WriteString(v.text)
				continue
			}
			flush()
			p.toks = append(p.toks, v)
			p.vars++
		case (c == '*' || c == '?') && mode != modeLiteral:
			flush()
			if c == '*' {
				p.toks = append(p.toks, token{kind: tStar})
			} else {
				p.toks = append(p.toks, token{kind: tOne})
			}
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	if mode == modeResource {
		// A '*' stays within its colon-separated segment unless it is the
		// last character of the segment, in which case it may match across
		// colons (IAM User Guide, "IAM JSON policy elements: Resource",
		// Using wildcards in resource ARNs). '?' never matches a colon.
		for i := range p.toks {
			switch p.toks[i].kind {
			case tOne:
				p.toks[i].kind = tOneSeg
			case tStar:
				last := i == len(p.toks)-1 ||
					(p.toks[i+1].kind == tLit && p.toks[i+1].text[0] == ':')
				if !last {
					p.toks[i].kind = tStarSeg
				}
			}
		}
	}
	return p
}

// resourcePart returns the offset in ARN s just past its fifth colon, where
// the resource part begins, or len(s)+1 when s has fewer than five colons.
func resourcePart(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			if n++; n == 5 {
				return i + 1
			}
		}
	}
	return len(s) + 1
}

// parseVariable parses the policy variable at the start of s ("${...}") and
// returns it with its length. The escapes ${*}, ${?} and ${$} come back as
// literal tokens. A variable may carry a default: ${aws:username, 'none'},
// where a doubled single quote inside the quotes stands for one.
func parseVariable(s string) (token, int, bool) {
	end := -1
	inQuote := false
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case '\'':
			inQuote = !inQuote
		case '}':
			if !inQuote {
				end = i
			}
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 {
		return token{}, 0, false
	}
	body := s[2:end]
	switch body {
	case "*", "?", "$":
		return token{kind: tLit, text: body}, end + 1, true
	}
	key, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return token{}, 0, false
		}
		def, hasDef = strings.ReplaceAll(d[1:len(d)-1], "''", "'"), true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " '{$") {
		return token{}, 0, false
	}
	return token{kind: tVar, text: strings.ToLower(key), key: key, def: def, hasDef: hasDef}, end + 1, true
}

// wild reports whether the pattern has wildcards or variables.
func (p *pattern) wild() bool {
	for _, t := range p.toks {
		if t.kind != tLit {
			return true
		}
	}
	return false
}

// literal returns the text the pattern matches when it has no wildcards or
// variables.
func (p *pattern) literal() (string, bool) {
	switch {
	case len(p.toks) == 0:
		return "", true
	case len(p.toks) == 1 && p.toks[0].kind == tLit:
		return p.toks[0].text, true
	}
	return "", false
}

// matchAll reports whether the pattern is a lone '*'.
func (p *pattern) matchAll() bool {
	return len(p.toks) == 1 && p.toks[0].kind == tStar
}

// match reports whether s matches the pattern. vals holds the values of the
// pattern's variables, in order; it is ignored when the pattern has none.
func (p *pattern) match(s string, vals []string) bool {
	toks := p.toks
	// Fast paths for the common shapes: "*", "literal", "prefix*".
	switch len(toks) {
	case 0:
		return s == ""
	case 1:
		switch toks[0].kind {
		case tStar:
			return true
		case tLit:
			return p.eq(s, toks[0].text)
		}
	case 2:
		if toks[0].kind == tLit && toks[1].kind == tStar {
			return len(s) >= len(toks[0].text) && p.eq(s[:len(toks[0].text)], toks[0].text)
		}
	}
	// General case: track the set of positions in s reachable after each
	// token. Linear in len(s) per token, no backtracking.
	n := len(s)
	var bufA, bufB [257]bool
	cur, next := bufA[:0], bufB[:0]
	if n+1 <= len(bufA) {
		cur, next = bufA[:n+1], bufB[:n+1]
	} else {
		cur, next = make([]bool, n+1), make([]bool, n+1)
	}
	cur[0] = true
	vi := 0
	for _, t := range toks {
		clear(next)
		any := false
		switch t.kind {
		case tLit, tVar:
			lit := t.text
			if t.kind == tVar {
				lit = vals[vi]
				vi++
			}
			for q := 0; q+len(lit) <= n; q++ {
				if cur[q] && p.eq(s[q:q+len(lit)], lit) {
					next[q+len(lit)] = true
					any = true
				}
			}
		case tOne, tOneSeg:
			for q := 0; q < n; q++ {
				if cur[q] && (t.kind == tOne || s[q] != ':') {
					next[q+1] = true
					any = true
				}
			}
		case tStar:
			for q := 0; q <= n; q++ {
				if cur[q] {
					for r := q; r <= n; r++ {
						next[r] = true
					}
					any = true
					break
				}
			}
		case tStarSeg:
			run := false
			for q := 0; q <= n; q++ {
				if cur[q] {
					run = true
				}
				if run {
					next[q] = true
					any = true
				}
				if q < n && s[q] == ':' {
					run = false
				}
			}
		}
		if !any {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}

// eq compares s with the pattern literal lit, folding ASCII case in s when
// the pattern folds (lit is then already lower case).
func (p *pattern) eq(s, lit string) bool {
	if len(s) != len(lit) {
		return false
	}
	if !p.fold {
		return s == lit
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return true
}

// atom is one character-level element of a pattern, for the containment
// and intersection algorithms.
type atom struct {
	kind tokKind
	c    byte
	v    *token
}

// atoms expands the pattern to single characters and wildcards, collapsing
// runs of stars and moving '?' before '*' where that keeps the language.
func (p *pattern) atoms() []atom {
	var out []atom
	for i := range p.toks {
		t := &p.toks[i]
		switch t.kind {
		case tLit:
			for j := 0; j < len(t.text); j++ {
				out = append(out, atom{kind: tLit, c: t.text[j]})
			}
		case tVar:
			out = append(out, atom{kind: tVar, v: t})
		default:
			out = append(out, atom{kind: t.kind})
		}
	}
	// Normalise runs of wildcards: within a run made only of '?' and '*' of
	// the same reach, "*?" equals "?*", and "**" equals "*". A '*' next to
	// a segment '*' is a '*'.
	norm := out[:0:0]
	for i := 0; i < len(out); {
		if !isWildcard(out[i].kind) {
			norm = append(norm, out[i])
			i++
			continue
		}
		j := i
		ones, stars, segStars, segOnes, star := 0, 0, 0, 0, false
		for j < len(out) && isWildcard(out[j].kind) {
			switch out[j].kind {
			case tOne:
				ones++
			case tOneSeg:
				segOnes++
			case tStar:
				stars++
				star = true
			case tStarSeg:
				segStars++
			}
			j++
		}
		switch {
		case segOnes == 0 && segStars == 0:
			for k := 0; k < ones; k++ {
				norm = append(norm, atom{kind: tOne})
			}
			if star {
				norm = append(norm, atom{kind: tStar})
			}
		case ones == 0 && stars == 0:
			for k := 0; k < segOnes; k++ {
				norm = append(norm, atom{kind: tOneSeg})
			}
			if segStars > 0 {
				norm = append(norm, atom{kind: tStarSeg})
			}
		default:
			// Mixed reach: keep as written, only merging adjacent stars.
			for k := i; k < j; k++ {
				a := out[k]
				if isStar(a.kind) && len(norm) > 0 && isStar(norm[len(norm)-1].kind) {
					if a.kind == tStar {
						norm[len(norm)-1].kind = tStar
					}
					continue
				}
				norm = append(norm, a)
			}
		}
		i = j
	}
	return norm
}

// maxProduct bounds the work of contains and intersects on pathological
// patterns; beyond it they give their conservative answer.
const maxProduct = 1 << 20

func isWildcard(k tokKind) bool { return k == tOne || k == tOneSeg || k == tStar || k == tStarSeg }
func isStar(k tokKind) bool     { return k == tStar || k == tStarSeg }

// contains reports whether every string outer... more precisely: whether
// every string inner matches is also matched by outer, for patterns of the
// same mode. It is sound but not complete: true is always right, false may
// mean "could not prove it". Variables are opaque: a variable in inner is
// covered only by the same variable in outer or by a '*' that may cross
// colons.
func contains(outer, inner *pattern) bool {
	if outer.matchAll() {
		return true
	}
	if outer.fold != inner.fold {
		return false
	}
	if s, ok := inner.literal(); ok && outer.vars == 0 {
		return outer.match(s, nil)
	}
	// "prefix*" contains whatever starts with a literal that starts with
	// the prefix.
	if len(outer.toks) == 2 && outer.toks[0].kind == tLit && outer.toks[1].kind == tStar &&
		len(inner.toks) > 0 && inner.toks[0].kind == tLit && strings.HasPrefix(inner.toks[0].text, outer.toks[0].text) {
		return true
	}
	in, out := inner.atoms(), outer.atoms()
	n, m := len(in), len(out)
	if (n+1)*(m+1) > maxProduct {
		return false // too large to decide cheaply: not proven
	}
	// memo[i*(m+1)+j] = 0 unknown, 1 false, 2 true: in[i:] ⊆ out[j:].
	memo := make([]uint8, (n+1)*(m+1))
	var c func(i, j int) bool
	c = func(i, j int) bool {
		k := i*(m+1) + j
		if memo[k] != 0 {
			return memo[k] == 2
		}
		r := false
		switch {
		case j == m:
			r = i == n
		case out[j].kind == tStar:
			r = c(i, j+1) || (i < n && c(i+1, j))
		case out[j].kind == tStarSeg:
			r = c(i, j+1) || (i < n && segAbsorbs(in[i]) && c(i+1, j))
		case i == n:
			r = false
		default:
			a, b := in[i], out[j]
			switch a.kind {
			case tLit:
				r = (b.kind == tLit && b.c == a.c) || b.kind == tOne || (b.kind == tOneSeg && a.c != ':')
			case tOne:
				r = b.kind == tOne
			case tOneSeg:
				r = b.kind == tOne || b.kind == tOneSeg
			case tVar:
				r = b.kind == tVar && sameVar(a.v, b.v)
			}
			r = r && c(i+1, j+1)
		}
		if r {
			memo[k] = 2
		} else {
			memo[k] = 1
		}
		return r
	}
	return c(0, 0)
}

// segAbsorbs reports whether a segment-bound '*' covers every string atom a
// matches.
func segAbsorbs(a atom) bool {
	switch a.kind {
	case tLit:
		return a.c != ':'
	case tOneSeg, tStarSeg:
		return true
	}
	return false
}

func sameVar(a, b *token) bool {
	return a.text == b.text && a.hasDef == b.hasDef && a.def == b.def
}

// intersects reports whether some string may match both patterns. It
// over-approximates: false is always right (the patterns are disjoint),
// true may be a false alarm. Segment limits are ignored and variables match
// anything.
func intersects(a, b *pattern) bool {
	if a.matchAll() || b.matchAll() {
		return true
	}
	if s, ok := a.literal(); ok && b.vars == 0 && a.fold == b.fold {
		return b.match(s, nil)
	}
	if s, ok := b.literal(); ok && a.vars == 0 && a.fold == b.fold {
		return a.match(s, nil)
	}
	x, y := a.atoms(), b.atoms()
	fold := a.fold || b.fold
	n, m := len(x), len(y)
	if (n+1)*(m+1) > maxProduct {
		return true // too large to decide cheaply: may intersect
	}
	memo := make([]uint8, (n+1)*(m+1))
	star := func(t atom) bool { return isStar(t.kind) || t.kind == tVar }
	var f func(i, j int) bool
	f = func(i, j int) bool {
		k := i*(m+1) + j
		if memo[k] != 0 {
			return memo[k] == 2
		}
		r := false
		switch {
		case i == n && j == m:
			r = true
		case i < n && star(x[i]):
			r = f(i+1, j) || (j < m && f(i, j+1))
		case j < m && star(y[j]):
			r = f(i, j+1) || (i < n && f(i+1, j))
		case i == n || j == m:
			r = false
		default:
			p, q := x[i], y[j]
			ok := p.kind != tLit || q.kind != tLit || p.c == q.c ||
				(fold && lower(p.c) == lower(q.c))
			r = ok && f(i+1, j+1)
		}
		if r {
			memo[k] = 2
		} else {
			memo[k] = 1
		}
		return r
	}
	return f(0, 0)
}

// asciiLower lowers ASCII letters only, as the matcher folds them; other
// bytes are kept, even when they are not valid UTF-8.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

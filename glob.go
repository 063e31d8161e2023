package tailor

// MatchGlob reports whether s matches the glob pattern, where * matches
// any run of characters (including "/" and ":", so that "*vendor*"
// matches any ARN that contains "vendor") and ? matches one character.
// Matching is case-sensitive, as ARNs are.
func MatchGlob(pattern, s string) bool {
	// Iterative matching with one backtrack point, linear in practice.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// MatchAnyGlob reports whether s matches one of the patterns, or whether
// there are none.
func MatchAnyGlob(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if MatchGlob(p, s) {
			return true
		}
	}
	return false
}

package catalog

import (
	"slices"
	"strings"
)

// Expand returns the full names of the actions an IAM action pattern
// covers, in canonical case and sorted as Actions sorts them. A pattern is
// "prefix:name" where both parts may hold the wildcards * (any run of
// characters, also none) and ? (any one character); matching ignores case,
// as IAM does. "*" covers every action. A pattern without wildcards returns
// its action when the catalog has it. The result is nil when nothing
// matches and is the caller's to modify.
func (c *Catalog) Expand(pattern string) []string {
	if pattern == "*" {
		return slices.Clone(c.allNames)
	}
	pat := strings.ToLower(pattern)
	prefix, _, ok := strings.Cut(pat, ":")
	if ok && !strings.ContainsAny(prefix, "*?") {
		// One service: scan only its actions.
		sp, found := c.span[prefix]
		if !found {
			return nil
		}
		if !strings.ContainsAny(pat, "*?") {
			if a, found := c.actions[pat]; found {
				return []string{a.FullName()}
			}
			return nil
		}
		var out []string
		rest := pat[len(prefix)+1:]
		for i := sp[0]; i < sp[1]; i++ {
			if match(rest, c.allLower[i][len(prefix)+1:]) {
				out = append(out, c.allNames[i])
			}
		}
		return out
	}
	var out []string
	for i, name := range c.allLower {
		if match(pat, name) {
			out = append(out, c.allNames[i])
		}
	}
	return out
}

// Matches reports whether the IAM action pattern covers the action name,
// both compared without regard to case: Matches("s3:Get*", "s3:GetObject").
// It does not consult a catalog.
func Matches(pattern, action string) bool {
	return match(strings.ToLower(pattern), strings.ToLower(action))
}

// match reports whether name matches the glob pat, where * matches any run
// of bytes and ? any one byte. Both are lowercase. It runs in
// O(len(pat)·len(name)) at worst, without allocating.
func match(pat, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pat) && pat[p] == '*':
			star, mark = p, n
			p++
		case p < len(pat) && (pat[p] == '?' || pat[p] == name[n]):
			p++
			n++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

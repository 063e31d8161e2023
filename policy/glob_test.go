package policy

import "testing"

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		mode    patternMode
		pattern string
		s       string
		want    bool
	}{
		{"action exact", modeAction, "s3:GetObject", "s3:GetObject", true},
		{"action case-insensitive", modeAction, "S3:getobject", "s3:GetObject", true},
		{"action prefix", modeAction, "s3:Get*", "s3:GetObjectAcl", true},
		{"action prefix other", modeAction, "s3:Get*", "s3:PutObject", false},
		{"action infix", modeAction, "iam:*Policy*", "iam:PutRolePolicy", true},
		{"action question", modeAction, "ec2:?tartInstances", "ec2:StartInstances", true},
		{"action question needs one", modeAction, "ec2:?StartInstances", "ec2:StartInstances", false},
		{"action star all", modeAction, "*", "kms:Decrypt", true},
		{"action service wildcard", modeAction, "*:Describe*", "ec2:DescribeInstances", true},

		// Resource element: IAM User Guide, "IAM JSON policy elements:
		// Resource", Using wildcards in resource ARNs.
		{"resource star", modeResource, "*", "arn:aws:s3:::bucket/key", true},
		{"resource star matches bare star", modeResource, "*", "*", true},
		{"resource case-sensitive", modeResource, "arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", false},
		{"resource trailing star crosses slashes", modeResource, "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", true},
		{"resource trailing star crosses colons", modeResource, "arn:aws:logs:us-east-1:111122223333:log-group:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", true},
		{"resource segment star in region", modeResource, "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", true},
		{"resource inner star stays in segment", modeResource, "arn:aws:s3:::bucket/*/file", "arn:aws:s3:::bucket/a:b/file", false},
		{"resource inner star within segment", modeResource, "arn:aws:s3:::bucket/*/file", "arn:aws:s3:::bucket/a/b/file", true},
		{"resource question not colon", modeResource, "arn:aws:s3:::a?b", "arn:aws:s3:::a:b", false},
		{"resource question", modeResource, "arn:aws:s3:::a?b", "arn:aws:s3:::axb", true},
		{"resource path users", modeResource, "arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/jane", true},
		{"resource literal does not match star request", modeResource, "arn:aws:s3:::bucket", "*", false},
		{"resource many stars", modeResource, "arn:aws:s3:::*a*a*a*b", "arn:aws:s3:::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
		{"resource many stars no", modeResource, "arn:aws:s3:::*a*a*a*b", "arn:aws:s3:::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},

		{"string like case-sensitive", modeString, "home/*", "Home/x", false},
		{"string like question crosses colon", modeString, "a?b", "a:b", true},
		{"string literal ignores wildcards", modeLiteral, "a*b", "axb", false},
		{"string literal star", modeLiteral, "a*b", "a*b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compilePattern(tt.pattern, tt.mode, true)
			if got := p.match(tt.s, nil); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

func TestPatternVariables(t *testing.T) {
	tests := []struct {
		pattern string
		vals    []string
		s       string
		want    bool
	}{
		// IAM User Guide, "IAM policy elements: Variables and tags".
		{"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*", []string{"jane"}, "arn:aws:s3:::amzn-s3-demo-bucket/home/jane/x", true},
		{"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*", []string{"jane"}, "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/x", false},
		// A substituted value is literal text, never a wildcard.
		{"arn:aws:s3:::b/${aws:username}", []string{"*"}, "arn:aws:s3:::b/anything", false},
		// ${*} ${?} ${$} stand for the characters themselves.
		{"arn:aws:s3:::b/${*}", nil, "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b/${*}", nil, "arn:aws:s3:::b/x", false},
		{"arn:aws:s3:::b/${?}${$}", nil, "arn:aws:s3:::b/?$", true},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pattern, modeResource, true)
		if got := p.match(tt.s, tt.vals); got != tt.want {
			t.Errorf("match(%q, %q, %q) = %v, want %v", tt.pattern, tt.vals, tt.s, got, tt.want)
		}
	}
	t.Run("2008 version keeps text", func(t *testing.T) {
		p := compilePattern("arn:aws:s3:::b/${aws:username}", modeResource, false)
		if !p.match("arn:aws:s3:::b/${aws:username}", nil) || p.vars != 0 {
			t.Errorf("variable interpreted without variable support")
		}
	})
	t.Run("default", func(t *testing.T) {
		p := compilePattern("${aws:PrincipalTag/team, 'it''s'}", modeString, true)
		if p.vars != 1 || !p.toks[0].hasDef || p.toks[0].def != "it's" || p.toks[0].text != "aws:principaltag/team" {
			t.Errorf("tokens = %+v", p.toks)
		}
	})
	t.Run("unterminated is text", func(t *testing.T) {
		p := compilePattern("a${aws:username", modeString, true)
		if p.vars != 0 || !p.match("a${aws:username", nil) {
			t.Errorf("tokens = %+v", p.toks)
		}
	})
}

func TestResourceContains(t *testing.T) {
	tests := []struct {
		outer, inner string
		want         bool
	}{
		{"*", "arn:aws:s3:::bucket/*", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/home/*", true},
		{"arn:aws:s3:::bucket/home/*", "arn:aws:s3:::bucket/*", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a?c", true},
		{"arn:aws:s3:::bucket/a?c", "arn:aws:s3:::bucket/a*c", false},
		{"arn:aws:s3:::bucket/*", "*", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/admin", true},
		// A segment '*' cannot cover a '*' that may cross colons.
		{"arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:*:111122223333:*", false},
		// At the end of an ARN, "?*" may cross colons after its first
		// character; "*?" may not (its '*' is not last in the segment).
		{"arn:aws:s3:::b/?*", "arn:aws:s3:::b/*?", true},
		{"arn:aws:s3:::b/*?", "arn:aws:s3:::b/?*", false},
		// Variables: the same variable is contained, a literal is not.
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:username}/x", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/jane/x", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}", true},
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/${aws:username}/x", false},
	}
	for _, tt := range tests {
		if got := ResourceContains(tt.outer, tt.inner); got != tt.want {
			t.Errorf("ResourceContains(%q, %q) = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
}

func TestContainsNormalises(t *testing.T) {
	// In StringLike values "*?" and "?*" are the same language; the
	// normalisation of wildcard runs lets contains prove both directions.
	a, b := compilePattern("x*?y", modeString, false), compilePattern("x?*y", modeString, false)
	if !contains(&a, &b) || !contains(&b, &a) {
		t.Errorf("x*?y and x?*y not proved equal")
	}
}

// TestContainsSound checks containment against brute force: whenever
// contains says yes, every string of a sample that inner matches must match
// outer too.
func TestContainsSound(t *testing.T) {
	pats := []string{"*", "a*", "*a", "a?", "?a", "a*b", "a:b*", "a*:b", "*:*", "a?*", "a*?", "??", "ab", "a:b", "a*b*", ":*", "*:", "a:*:b"}
	var sample []string
	alpha := []string{"a", "b", ":"}
	var gen func(s string, n int)
	gen = func(s string, n int) {
		sample = append(sample, s)
		if n == 0 {
			return
		}
		for _, c := range alpha {
			gen(s+c, n-1)
		}
	}
	gen("", 5)
	proved := 0
	for _, mode := range []patternMode{modeResource, modeString} {
		for _, o := range pats {
			for _, i := range pats {
				op, ip := compilePattern(o, mode, false), compilePattern(i, mode, false)
				if !contains(&op, &ip) {
					continue
				}
				proved++
				for _, s := range sample {
					if ip.match(s, nil) && !op.match(s, nil) {
						t.Errorf("mode %d: contains(%q, %q) but %q matches only the inner one", mode, o, i, s)
					}
				}
			}
		}
	}
	if proved < 40 {
		t.Errorf("only %d containments proved: the check is too weak to be useful", proved)
	}
}

// TestIntersectsSound checks that intersects never calls two patterns
// disjoint when a sample string matches both.
func TestIntersectsSound(t *testing.T) {
	pats := []string{"*", "a*", "*a", "a?", "?a", "a*b", "b*", "ab", "ba", "a:b*", "*:b", "??", "?"}
	sample := []string{"", "a", "b", "ab", "ba", "aa", "bb", "a:b", "a:bb", "ab:b", "aab", "abb", "b:b"}
	disjoint := 0
	for _, x := range pats {
		for _, y := range pats {
			px, py := compilePattern(x, modeResource, false), compilePattern(y, modeResource, false)
			if intersects(&px, &py) {
				continue
			}
			disjoint++
			for _, s := range sample {
				if px.match(s, nil) && py.match(s, nil) {
					t.Errorf("intersects(%q, %q) = false but %q matches both", x, y, s)
				}
			}
		}
	}
	if disjoint == 0 {
		t.Errorf("no pair proved disjoint")
	}
}

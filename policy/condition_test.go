package policy

import (
	"strings"
	"testing"
)

func clauseOf(t *testing.T, op string, vals ...string) cclause {
	t.Helper()
	c, err := compileClause(Clause{Operator: op, Key: "k", Values: vals}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClauseImplies(t *testing.T) {
	tests := []struct {
		x, y    Clause
		implies bool
	}{
		{Clause{"StringEquals", "k", []string{"a"}}, Clause{"StringEquals", "k", []string{"a", "b"}}, true},
		{Clause{"StringEquals", "k", []string{"a", "c"}}, Clause{"StringEquals", "k", []string{"a", "b"}}, false},
		{Clause{"StringEquals", "k", []string{"a"}}, Clause{"StringEquals", "K", []string{"a"}}, true},
		{Clause{"StringEquals", "k", []string{"a"}}, Clause{"StringEquals", "other", []string{"a"}}, false},
		{Clause{"StringNotEquals", "k", []string{"a", "b"}}, Clause{"StringNotEquals", "k", []string{"a"}}, true},
		{Clause{"StringNotEquals", "k", []string{"a"}}, Clause{"StringNotEquals", "k", []string{"a", "b"}}, false},
		{Clause{"StringEquals", "k", []string{"home/jane"}}, Clause{"StringLike", "k", []string{"home/*"}}, true},
		{Clause{"StringLike", "k", []string{"home/jane/*"}}, Clause{"StringLike", "k", []string{"home/*"}}, true},
		{Clause{"StringLike", "k", []string{"home/*"}}, Clause{"StringLike", "k", []string{"home/jane/*"}}, false},
		{Clause{"StringNotLike", "k", []string{"home/*"}}, Clause{"StringNotEquals", "k", []string{"home/x"}}, true},
		{Clause{"StringEquals", "k", []string{"a"}}, Clause{"StringEqualsIfExists", "k", []string{"a"}}, true},
		{Clause{"StringEqualsIfExists", "k", []string{"a"}}, Clause{"StringEquals", "k", []string{"a"}}, false},
		{Clause{"StringEquals", "k", []string{"a"}}, Clause{"ForAnyValue:StringEquals", "k", []string{"a"}}, false},
		{Clause{"ForAllValues:StringEquals", "k", []string{"a"}}, Clause{"ForAllValues:StringEquals", "k", []string{"a", "b"}}, true},
		{Clause{"StringEqualsIgnoreCase", "k", []string{"ABC"}}, Clause{"StringEqualsIgnoreCase", "k", []string{"abc"}}, true},
		{Clause{"NumericLessThan", "k", []string{"5"}}, Clause{"NumericLessThan", "k", []string{"10"}}, true},
		{Clause{"NumericLessThan", "k", []string{"10"}}, Clause{"NumericLessThan", "k", []string{"5"}}, false},
		{Clause{"NumericGreaterThanEquals", "k", []string{"10"}}, Clause{"NumericGreaterThanEquals", "k", []string{"5"}}, true},
		{Clause{"NumericEquals", "k", []string{"10"}}, Clause{"NumericEquals", "k", []string{"10.0"}}, true},
		{Clause{"NumericLessThan", "k", []string{"5"}}, Clause{"NumericLessThanEquals", "k", []string{"10"}}, false},
		{Clause{"DateLessThan", "k", []string{"2020-01-01"}}, Clause{"DateLessThan", "k", []string{"2021-01-01T00:00:00Z"}}, true},
		{Clause{"DateGreaterThan", "k", []string{"2020-01-01"}}, Clause{"DateGreaterThan", "k", []string{"2021-01-01"}}, false},
		{Clause{"IpAddress", "k", []string{"10.1.0.0/16"}}, Clause{"IpAddress", "k", []string{"10.0.0.0/8"}}, true},
		{Clause{"IpAddress", "k", []string{"10.0.0.0/8"}}, Clause{"IpAddress", "k", []string{"10.1.0.0/16"}}, false},
		{Clause{"NotIpAddress", "k", []string{"10.0.0.0/8"}}, Clause{"NotIpAddress", "k", []string{"10.1.0.0/16"}}, true},
		{Clause{"Bool", "k", []string{"true"}}, Clause{"Bool", "k", []string{"TRUE"}}, true},
		{Clause{"Bool", "k", []string{"true"}}, Clause{"Bool", "k", []string{"false"}}, false},
		{Clause{"Null", "k", []string{"false"}}, Clause{"Null", "k", []string{"false", "true"}}, true},
		{Clause{"Null", "k", []string{"true"}}, Clause{"Null", "k", []string{"false"}}, false},
		{Clause{"ArnLike", "k", []string{"arn:aws:iam::1:role/a"}}, Clause{"ArnLike", "k", []string{"*"}}, true},
		{Clause{"ArnEquals", "k", []string{"arn:aws:iam::1:role/a"}}, Clause{"ArnLike", "k", []string{"arn:aws:iam::1:role/a"}}, true},
		{Clause{"StringLike", "k", []string{"${aws:username}/*"}}, Clause{"StringLike", "k", []string{"*"}}, false},
		{Clause{"StringLike", "k", []string{"${aws:username}/*"}}, Clause{"StringLike", "k", []string{"${aws:username}/*"}}, true},
		{Clause{"NumericLessThan", "k", []string{"ten"}}, Clause{"NumericLessThan", "k", []string{"ten"}}, false},
	}
	for _, tt := range tests {
		x, _ := compileClause(tt.x, true)
		y, _ := compileClause(tt.y, true)
		if got := clauseImplies(&x, &y); got != tt.implies {
			t.Errorf("%v ⇒ %v: got %v, want %v", tt.x, tt.y, got, tt.implies)
		}
	}
}

// TestClauseImpliesSound checks clauseImplies against brute force: when it
// says x implies y, every sample context (absent, empty, one or two values)
// that satisfies x satisfies y.
func TestClauseImpliesSound(t *testing.T) {
	ops := []string{
		"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIfExists",
		"ForAllValues:StringEquals", "ForAnyValue:StringLike", "ForAllValues:StringNotLike",
		"NumericLessThan", "NumericGreaterThanEquals", "NumericNotEquals", "IpAddress", "NotIpAddress", "Null", "Bool",
	}
	values := map[string][][]string{
		"String":  {{"a"}, {"a", "b"}, {"a*"}, {"*"}, {"b?"}},
		"Numeric": {{"5"}, {"10"}, {"5", "10"}},
		"Ip":      {{"10.0.0.0/8"}, {"10.1.0.0/16"}, {"10.1.2.3"}},
		"Null":    {{"true"}, {"false"}},
		"Bool":    {{"true"}, {"false"}},
	}
	family := func(op string) string {
		for _, f := range []string{"Numeric", "Null", "Bool"} {
			if strings.Contains(op, f) {
				return f
			}
		}
		if strings.Contains(op, "Ip") {
			return "Ip"
		}
		return "String"
	}
	samples := [][]string{nil, {}, {"a"}, {"b"}, {"ab"}, {"a", "b"}, {"bx"}, {"4"}, {"7"}, {"12"}, {"10.1.2.3"}, {"10.2.0.1"}, {"192.0.2.1"}, {"true"}, {"false"}}
	proved := 0
	for _, xo := range ops {
		for _, yo := range ops {
			for _, xv := range values[family(xo)] {
				for _, yv := range values[family(yo)] {
					x, y := clauseOf(t, xo, xv...), clauseOf(t, yo, yv...)
					if !clauseImplies(&x, &y) {
						continue
					}
					proved++
					for _, s := range samples {
						req := Request{ContextComplete: true}
						if s != nil {
							req.Context = map[string][]string{"k": s}
						}
						ev := evaluator{req: req}
						if ev.clause(&x) == triTrue && ev.clause(&y) != triTrue {
							t.Errorf("%s %q ⇒ %s %q claimed, but context %q satisfies only the first", xo, xv, yo, yv, s)
						}
					}
				}
			}
		}
	}
	if proved < 50 {
		t.Errorf("only %d implications proved", proved)
	}
}

package policy

import (
	"fmt"
	"strings"
)

// opFamily is the type of comparison a condition operator makes.
type opFamily uint8

const (
	famString opFamily = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// opCmp is the comparison within a family.
type opCmp uint8

const (
	cmpEq     opCmp = iota // equals
	cmpEqFold              // equals, ignoring case
	cmpLike                // wildcard match
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

// setQual is the set operator prefix of a condition operator.
type setQual uint8

const (
	setNone setQual = iota
	setForAll
	setForAny
)

// opInfo is a parsed condition operator such as
// "ForAnyValue:StringNotLikeIfExists".
type opInfo struct {
	family   opFamily
	cmp      opCmp
	negated  bool
	ifExists bool
	set      setQual
	base     string // canonical base name, without prefix and IfExists
}

// baseOperators are the condition operators of the IAM policy language
// (IAM User Guide, "IAM JSON policy elements: Condition operators").
var baseOperators = map[string]opInfo{
	"stringequals":              {family: famString, cmp: cmpEq, base: "StringEquals"},
	"stringnotequals":           {family: famString, cmp: cmpEq, negated: true, base: "StringNotEquals"},
	"stringequalsignorecase":    {family: famString, cmp: cmpEqFold, base: "StringEqualsIgnoreCase"},
	"stringnotequalsignorecase": {family: famString, cmp: cmpEqFold, negated: true, base: "StringNotEqualsIgnoreCase"},
	"stringlike":                {family: famString, cmp: cmpLike, base: "StringLike"},
	"stringnotlike":             {family: famString, cmp: cmpLike, negated: true, base: "StringNotLike"},
	"numericequals":             {family: famNumeric, cmp: cmpEq, base: "NumericEquals"},
	"numericnotequals":          {family: famNumeric, cmp: cmpEq, negated: true, base: "NumericNotEquals"},
	"numericlessthan":           {family: famNumeric, cmp: cmpLT, base: "NumericLessThan"},
	"numericlessthanequals":     {family: famNumeric, cmp: cmpLE, base: "NumericLessThanEquals"},
	"numericgreaterthan":        {family: famNumeric, cmp: cmpGT, base: "NumericGreaterThan"},
	"numericgreaterthanequals":  {family: famNumeric, cmp: cmpGE, base: "NumericGreaterThanEquals"},
	"dateequals":                {family: famDate, cmp: cmpEq, base: "DateEquals"},
	"datenotequals":             {family: famDate, cmp: cmpEq, negated: true, base: "DateNotEquals"},
	"datelessthan":              {family: famDate, cmp: cmpLT, base: "DateLessThan"},
	"datelessthanequals":        {family: famDate, cmp: cmpLE, base: "DateLessThanEquals"},
	"dategreaterthan":           {family: famDate, cmp: cmpGT, base: "DateGreaterThan"},
	"dategreaterthanequals":     {family: famDate, cmp: cmpGE, base: "DateGreaterThanEquals"},
	"bool":                      {family: famBool, cmp: cmpEq, base: "Bool"},
	"binaryequals":              {family: famBinary, cmp: cmpEq, base: "BinaryEquals"},
	"ipaddress":                 {family: famIP, cmp: cmpEq, base: "IpAddress"},
	"notipaddress":              {family: famIP, cmp: cmpEq, negated: true, base: "NotIpAddress"},
	"arnequals":                 {family: famARN, cmp: cmpLike, base: "ArnEquals"},
	"arnlike":                   {family: famARN, cmp: cmpLike, base: "ArnLike"},
	"arnnotequals":              {family: famARN, cmp: cmpLike, negated: true, base: "ArnNotEquals"},
	"arnnotlike":                {family: famARN, cmp: cmpLike, negated: true, base: "ArnNotLike"},
	"null":                      {family: famNull, cmp: cmpEq, base: "Null"},
}

// parseOperator parses a condition operator name. Names are matched without
// regard to case.
func parseOperator(name string) (opInfo, error) {
	s := name
	var set setQual
	if i := strings.IndexByte(s, ':'); i >= 0 {
		switch strings.ToLower(s[:i]) {
		case "forallvalues":
			set = setForAll
		case "foranyvalue":
			set = setForAny
		default:
			return opInfo{}, fmt.Errorf("%w: unknown condition operator %q", ErrValue, name)
		}
		s = s[i+1:]
	}
	ls := strings.ToLower(s)
	ifExists := false
	if strings.HasSuffix(ls, "ifexists") {
		ifExists = true
		ls = strings.TrimSuffix(ls, "ifexists")
	}
	op, ok := baseOperators[ls]
	if !ok {
		return opInfo{}, fmt.Errorf("%w: unknown condition operator %q", ErrValue, name)
	}
	if op.family == famNull && (ifExists || set != setNone) {
		return opInfo{}, fmt.Errorf("%w: condition operator %q: Null takes no IfExists or set operator", ErrValue, name)
	}
	op.ifExists = ifExists
	op.set = set
	return op, nil
}

// canonical returns the operator's name in IAM's spelling.
func (o opInfo) canonical() string {
	s := o.base
	if o.ifExists {
		s += "IfExists"
	}
	switch o.set {
	case setForAll:
		s = "ForAllValues:" + s
	case setForAny:
		s = "ForAnyValue:" + s
	}
	return s
}

// variablesAllowed reports whether the operator's values may hold policy
// variables (the String and ARN families).
func (o opInfo) variablesAllowed() bool {
	return o.family == famString || o.family == famARN
}

package catalog

import (
	"fmt"
	"strings"
)

// AccessLevel is the set of access levels the Service Authorization
// Reference gives an action. Most actions have one; tagging and permissions
// management actions are also Write ("Permissions management, Write").
type AccessLevel uint8

// The access levels. An AccessLevel is a union of these.
const (
	List AccessLevel = 1 << iota
	Read
	Write
	PermissionsManagement
	Tagging
)

var levelNames = [...]struct {
	level AccessLevel
	name  string
}{
	{List, "List"},
	{Read, "Read"},
	{Write, "Write"},
	{PermissionsManagement, "Permissions management"},
	{Tagging, "Tagging"},
}

// Has reports whether l includes every level in x.
func (l AccessLevel) Has(x AccessLevel) bool { return l&x == x && x != 0 }

// Levels returns the single levels in l, in the order List, Read, Write,
// Permissions management, Tagging.
func (l AccessLevel) Levels() []AccessLevel {
	var out []AccessLevel
	for _, n := range levelNames {
		if l&n.level != 0 {
			out = append(out, n.level)
		}
	}
	return out
}

// String returns the levels as the reference writes them, separated by
// ", " in the order Permissions management, Tagging, List, Read, Write:
// "Permissions management, Write". The zero value is "".
func (l AccessLevel) String() string {
	var parts []string
	for _, x := range []AccessLevel{PermissionsManagement, Tagging, List, Read, Write} {
		if l&x != 0 {
			for _, n := range levelNames {
				if n.level == x {
					parts = append(parts, n.name)
				}
			}
		}
	}
	return strings.Join(parts, ", ")
}

// ParseAccessLevel parses a comma-separated list of level names, in any
// order and case: "Write", "Permissions management, Write", "tagging".
func ParseAccessLevel(s string) (AccessLevel, error) {
	var l AccessLevel
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		found := false
		for _, n := range levelNames {
			if strings.EqualFold(part, n.name) {
				l |= n.level
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("parse access level %q: unknown level %q", s, part)
		}
	}
	return l, nil
}

package review

import (
	"errors"
	"fmt"
	"strings"
)

// Severity ranks a finding. The zero value is SeverityInfo; higher values
// are worse.
type Severity uint8

// The severities, from least to most severe.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

// ErrSeverity marks a severity name ParseSeverity does not know.
var ErrSeverity = errors.New("review: unknown severity")

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lower-case name: "info", "low", "medium", "high" or
// "critical".
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// ParseSeverity reads a severity name, in any case.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want info, low, medium, high or critical", ErrSeverity, name)
}

// MarshalText writes the severity's name, so that JSON holds "high".
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("%w: %d", ErrSeverity, uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

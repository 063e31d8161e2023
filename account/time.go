package account

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time is a timestamp in an IAM document. It reads the forms the AWS CLI and
// tools built on boto3 print: "2019-12-18T19:10:08Z",
// "2019-12-18T19:10:08+00:00", "2019-12-18 19:10:08+00:00", with or without
// fractional seconds, a zone-less time (taken as UTC), and a number of
// seconds since the Unix epoch. It writes the AWS CLI's form,
// "2019-12-18T19:10:08+00:00", in UTC. The zero Time means absent.
type Time struct {
	time.Time
}

// cliTimeLayout is how the AWS CLI prints IAM timestamps.
const cliTimeLayout = "2006-01-02T15:04:05.999999999-07:00"

// MarshalJSON writes t in the AWS CLI's form, or null for the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(cliTimeLayout) + `"`), nil
}

// UnmarshalJSON reads a timestamp string, a Unix time in seconds, or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		sec, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("parse time %s: not a string or number", b)
		}
		whole := int64(sec)
		*t = Time{time.Unix(whole, int64((sec-float64(whole))*1e9)).UTC()}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = Time{v}
	return nil
}

// parseTime reads an IAM timestamp string; see [Time]. The empty string is
// the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999-0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &timeError{text: s}
}

// timeError is a timestamp that does not parse; readers use text to find
// where it is in their input.
type timeError struct{ text string }

func (e *timeError) Error() string {
	return fmt.Sprintf("parse time %q: not an ISO 8601 date-time", e.text)
}

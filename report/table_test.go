package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTableRender(t *testing.T) {
	tab := Table{
		Header: []string{"SEVERITY", "PRINCIPAL", "FINDING", "CALLS"},
		Rows: [][]string{
			{"critical", "user/legacy-reporting", "Burst of denied calls", "44"},
			{"high", "role/DatadogIntegrationRole", "Sensitive actions on all resources", "7"},
			{"low", "role/x", "Trust to a whole outside account", "1234"},
		},
		Flex:  []bool{false, true, true, false},
		Right: []bool{false, false, false, true},
		Min:   []int{0, 12, 10},
	}
	tests := []struct {
		name  string
		width int
		want  string
	}{
		{"no limit", 0, "" +
			"SEVERITY  PRINCIPAL                    FINDING                             CALLS\n" +
			"critical  user/legacy-reporting        Burst of denied calls                  44\n" +
			"high      role/DatadogIntegrationRole  Sensitive actions on all resources      7\n" +
			"low       role/x                       Trust to a whole outside account     1234\n"},
		// 80 columns fit without cutting.
		{"wide", 80, "" +
			"SEVERITY  PRINCIPAL                    FINDING                             CALLS\n" +
			"critical  user/legacy-reporting        Burst of denied calls                  44\n" +
			"high      role/DatadogIntegrationRole  Sensitive actions on all resources      7\n" +
			"low       role/x                       Trust to a whole outside account     1234\n"},
		// 60: the fixed columns and gaps take 19, leaving 41 for PRINCIPAL
		// (27) and FINDING (34). Level 20 fits both (40); the character
		// left over goes back to the first cut column, PRINCIPAL.
		{"narrow", 60, "" +
			"SEVERITY  PRINCIPAL              FINDING               CALLS\n" +
			"critical  user/legacy-reporting  Burst of denied cal…     44\n" +
			"high      role/DatadogIntegrat…  Sensitive actions o…      7\n" +
			"low       role/x                 Trust to a whole ou…   1234\n"},
		// Too narrow for the minimum widths: cut to them and no further.
		{"minimum", 20, "" +
			"SEVERITY  PRINCIPAL     FINDING     CALLS\n" +
			"critical  user/legacy…  Burst of …     44\n" +
			"high      role/Datado…  Sensitive…      7\n" +
			"low       role/x        Trust to …   1234\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tab.Render(&b, tt.width); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
			for _, ln := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if strings.HasSuffix(ln, " ") {
					t.Errorf("trailing space in %q", ln)
				}
				if tt.width >= 60 && utf8.RuneCountInString(ln) > tt.width {
					t.Errorf("line of %d characters in %d: %q", utf8.RuneCountInString(ln), tt.width, ln)
				}
			}
		})
	}
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		text, first, indent string
		width               int
		want                string
	}{
		{"one two three four", "", "", 9, "one two\nthree\nfour"},
		{"one two three four", "- ", "  ", 10, "- one two\n  three\n  four"},
		{"a verylongwordthatdoesnotfit b", "", "  ", 8, "a\n  verylongwordthatdoesnotfit\n  b"},
		{"no limit at all here", "> ", "  ", 0, "> no limit at all here"},
		{"", "Fix: ", "", 10, "Fix:"},
	}
	for _, tt := range tests {
		if got := wrapText(tt.text, tt.width, tt.first, tt.indent); got != tt.want {
			t.Errorf("wrapText(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

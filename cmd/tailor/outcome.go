package main

import (
	"fmt"
	"strings"

	"github.com/tailor-sec/tailor/usage"
)

// outcome returns the error that sets the exit status of a command that
// ran to its end: findings is failOn's error (exit 5) or nil, failed says
// a suggestion failed its proof (exit 1), partial says why the input was
// partial ("" when it was whole).
//
// The status is the most urgent of them, 5, then 1, then 4, and the
// message names every one. A gate that fails on any status but 0 fails on
// each; one that tests for 5 never misses a finding because the input was
// partial too, which a combined code (6 for 5 and 4) would make it do; the
// partial state is on stderr, in the JSON's inputs.unreadable and in the
// report whatever the status.
func outcome(findings error, failed bool, partial string) error {
	var also []string
	if failed {
		also = append(also, "a suggestion failed its proof")
	}
	if partial != "" {
		also = append(also, "input partial: "+partial)
	}
	switch {
	case findings != nil:
		msg := findings.Error()
		if len(also) > 0 {
			msg += " (and " + strings.Join(also, "; ") + ")"
		}
		return &codeError{code: exitFindings, msg: msg}
	case failed:
		// The failures were named on stderr.
		if partial != "" {
			return &codeError{code: exitError, msg: "input partial: " + partial}
		}
		return &codeError{code: exitError}
	case partial != "":
		return &codeError{code: exitPartial, msg: "input partial: " + partial}
	}
	return nil
}

// partialText says which log files an index could not read whole and
// whose records they held: "2 log files could not be read whole
// (111122223333 us-east-1 2026-10-03, ...)", or "" when none.
func partialText(unreadable []usage.UnreadableSource) string {
	if len(unreadable) == 0 {
		return ""
	}
	seen := map[string]bool{}
	var where []string
	for _, u := range unreadable {
		w := strings.Join(strings.Fields(u.Account+" "+u.Region+" "+u.Day), " ")
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		where = append(where, w)
	}
	s := fmt.Sprintf("%d %s could not be read whole", len(unreadable), reviewPlural(len(unreadable), "log file", "log files"))
	const max = 3
	switch {
	case len(where) > max:
		s += fmt.Sprintf(": records lost of %s and %d more", strings.Join(where[:max], ", "), len(where)-max)
	case len(where) > 0:
		s += ": records lost of " + strings.Join(where, ", ")
	}
	return s
}

// printUnreadable lists on stderr the log files an index could not read
// whole, as ingest does when it meets them.
func printUnreadable(io *ioStreams, unreadable []usage.UnreadableSource) {
	const max = 50
	for i, u := range unreadable {
		if i == max {
			fmt.Fprintf(io.ErrOut, "… and %d more\n", len(unreadable)-max)
			break
		}
		fmt.Fprintf(io.ErrOut, "unreadable: %s (%d records read before it broke)\n", u.File, u.Records)
	}
}

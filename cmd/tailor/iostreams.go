package main

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// ioStreams is the one set of streams a command writes to. Results go to
// Out, progress and warnings to ErrOut.
type ioStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	stderrTTY bool
	// width of the terminal on stderr, 0 when not a terminal.
	width int
}

func systemIO() *ioStreams {
	s := &ioStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdoutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.stderrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if s.stderrTTY {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil {
			s.width = w
		}
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		s.stdoutTTY = false
	}
	return s
}

// testIO returns streams backed by buffers, none of them a terminal.
func testIO() (*ioStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	return &ioStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// colorEnabled reports whether Out is a terminal that takes colour.
func (s *ioStreams) colorEnabled() bool { return s.stdoutTTY }

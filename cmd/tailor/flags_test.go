package main

import (
	"context"

	"github.com/spf13/cobra"
)

// parseOnly runs args through the root command with the command called
// name replaced by the one newCmd builds around a runF that only keeps
// the options it is given. It returns those options (nil if the command
// did not run), the error and what went to stderr.
func parseOnly[O any](name string, newCmd func(*ioStreams, func(*O) error) *cobra.Command, args []string) (*O, error, string) {
	io, _, _, errOut := testIO()
	var got *O
	root := newRootCmd(io)
	for _, c := range root.Commands() {
		if c.Name() == name {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newCmd(io, func(o *O) error { got = o; return nil }))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return got, err, errOut.String()
}

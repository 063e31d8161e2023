package main

import "github.com/spf13/cobra"

// newIAMCmd is a placeholder until the command lands.
func newIAMCmd(io *ioStreams) *cobra.Command {
	return &cobra.Command{Use: "iam", Hidden: true}
}

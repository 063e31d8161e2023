package main

import "github.com/spf13/cobra"

// newSimulateCmd is a placeholder until the command lands.
func newSimulateCmd(io *ioStreams) *cobra.Command {
	return &cobra.Command{Use: "simulate", Hidden: true}
}

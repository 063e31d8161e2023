package main

import "github.com/spf13/cobra"

func newUsageCmd(io *ioStreams) *cobra.Command {
	return &cobra.Command{Use: "usage", Hidden: true}
}

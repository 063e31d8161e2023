package main

import "github.com/spf13/cobra"

type ingestOptions struct{}

func newIngestCmd(io *ioStreams, runF func(*ingestOptions) error) *cobra.Command {
	return &cobra.Command{Use: "ingest", Hidden: true}
}

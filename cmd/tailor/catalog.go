package main

import "github.com/spf13/cobra"

// newCatalogCmd is a placeholder until the command lands.
func newCatalogCmd(io *ioStreams) *cobra.Command {
	return &cobra.Command{Use: "catalog", Hidden: true}
}

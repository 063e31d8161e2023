package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor/catalog"
)

// versionOptions holds the flags of `tailor version`.
type versionOptions struct {
	io         *ioStreams
	CatalogDir string
}

func newVersionCmd(io *ioStreams) *cobra.Command {
	opts := &versionOptions{io: io}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print tailor's version and the date of its IAM catalog",
		Long: `Print tailor's version, the Go it was built with, and the IAM catalog runs
use: its source and the date of its data (the embedded snapshot, or the
newer one 'tailor catalog update' put in the user cache).`,
		Example: `  tailor version
  tailor version --catalog ./service-reference`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(opts)
		},
	}
	cmd.Flags().StringVar(&opts.CatalogDir, "catalog", "", "report on the service reference files in `DIR` instead")
	return cmd
}

func runVersion(opts *versionOptions) error {
	fmt.Fprintf(opts.io.Out, "tailor %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	c, err := catalog.Load(catalog.Options{Dir: opts.CatalogDir})
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	fmt.Fprintf(opts.io.Out, "catalog: %s, data of %s (%d services, %d actions)\n",
		c.Source(), c.Date().Format(time.DateOnly), len(c.Services()), c.Len())
	return nil
}

// newCompletionCmd writes shell completion scripts.
func newCompletionCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the tab-completion script for a shell",
		Long: `Print the script that teaches a shell to complete tailor's commands and flags.

bash (needs the bash-completion package):
  source <(tailor completion bash)          # this shell
  tailor completion bash > /etc/bash_completion.d/tailor

zsh (with compinit enabled):
  tailor completion zsh > "${fpath[1]}/_tailor"

fish:
  tailor completion fish > ~/.config/fish/completions/tailor.fish

Open a new shell afterwards.`,
		Example: `  source <(tailor completion bash)
  tailor completion zsh > "${fpath[1]}/_tailor"
  tailor completion fish > ~/.config/fish/completions/tailor.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return flagErrorf("completion needs one shell: bash, zsh or fish")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(io.Out, true)
			case "zsh":
				return root.GenZshCompletion(io.Out)
			case "fish":
				return root.GenFishCompletion(io.Out, true)
			}
			return flagErrorf("completion: unknown shell %q: want bash, zsh or fish", args[0])
		},
	}
	return cmd
}

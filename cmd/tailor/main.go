// Command tailor reads CloudTrail logs and IAM snapshots and answers what
// each principal did and what the smallest policy is that still lets it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, systemIO(), os.Args[1:]))
}

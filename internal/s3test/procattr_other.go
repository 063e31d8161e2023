//go:build !linux

package s3test

import (
	"errors"
	"os/exec"
	"time"
)

func setProcAttr(cmd *exec.Cmd) {}

func cpuTime(pid int) (time.Duration, error) {
	return 0, errors.New("s3test: CPU time of a process is read from /proc, on Linux only")
}

//go:build unix

package rightsize_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user and system CPU time so far: a
// benchmark figure the load of other processes barely changes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

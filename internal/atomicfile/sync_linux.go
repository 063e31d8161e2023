package atomicfile

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncAll makes the temporary files durable with one syncfs(2) per file
// system they are on, and falls back to syncing each file where syncfs
// fails.
func syncAll(ps []pending) error {
	if len(ps) < 8 {
		return syncFiles(ps)
	}
	seen := map[uint64]bool{}
	for _, p := range ps {
		var st unix.Stat_t
		if err := unix.Stat(p.tmp, &st); err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
		if seen[st.Dev] {
			continue
		}
		seen[st.Dev] = true
		f, err := os.Open(p.tmp)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
		err = unix.Syncfs(int(f.Fd()))
		f.Close()
		if err != nil {
			return syncFiles(ps)
		}
	}
	return nil
}

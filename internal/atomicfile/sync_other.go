//go:build !linux

package atomicfile

// syncAll syncs each temporary file.
func syncAll(ps []pending) error { return syncFiles(ps) }

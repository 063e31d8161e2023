//go:build !unix

package s3_test

import "time"

// selfCPU is not measured on this system.
func selfCPU() time.Duration { return 0 }

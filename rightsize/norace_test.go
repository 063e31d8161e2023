//go:build !race

package rightsize_test

const raceEnabled = false

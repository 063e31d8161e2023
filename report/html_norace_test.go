//go:build !race

package report_test

// raceEnabled is true under the race detector, which makes the scale
// tests draw 100 principals instead of 1,000.
const raceEnabled = false

//go:build race

package policy

// raceEnabled is true under the race detector, which makes the real-corpus
// tests sample the corpus instead of running through all of it.
const raceEnabled = true

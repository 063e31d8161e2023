//go:build race

package rightsize_test

// raceEnabled is true under the race detector, which makes the property
// test try fewer principals.
const raceEnabled = true

package policy

// RaceEnabled lets the external tests scale their work under the race
// detector as the internal ones do.
const RaceEnabled = raceEnabled

package review

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// MaskedSecret stands for a secret value, such as an sts:ExternalId, in
// output: its length and a short fingerprint, never the value.
//
// The fingerprint is the first 8 hex digits of the value's SHA-256. It
// tells two values apart (the same ExternalId on two roles has the same
// fingerprint) without showing either; like any hash of a short secret it
// does not protect a value that is easy to guess, which is why weak values
// are findings of their own.
type MaskedSecret struct {
	Length      int    `json:"length"`      // in characters
	Fingerprint string `json:"fingerprint"` // "sha256:1a2b3c4d"
}

// Mask returns the masked form of a secret.
func Mask(secret string) MaskedSecret {
	sum := sha256.Sum256([]byte(secret))
	return MaskedSecret{Length: utf8.RuneCountInString(secret), Fingerprint: "sha256:" + hex.EncodeToString(sum[:4])}
}

// String returns "32 characters, sha256:1a2b3c4d".
func (m MaskedSecret) String() string {
	unit := "characters"
	if m.Length == 1 {
		unit = "character"
	}
	return fmt.Sprintf("%d %s, %s", m.Length, unit, m.Fingerprint)
}

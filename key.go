package tailor

import (
	"encoding/binary"

	"github.com/zeebo/xxh3"
)

// An EventKey identifies one CloudTrail event across its copies: an
// organization trail and an account trail deliver the same event, a log
// file may lie beside its gunzipped twin, an export may repeat an archive.
// It hashes, with XXH3-128, the fields every copy of an event shares:
// eventID, eventTime, recipient account, region, event source and event
// name. CloudTrail's event ids are random UUIDs; the other fields keep
// hand-made records that reuse an id ("1", "EXAMPLE") for different calls
// apart.
type EventKey [16]byte

// Key returns the event's key. It reports false for a record without an
// eventID, which cannot be told from a copy and so is never taken for one.
// Key does not allocate for the fields of a CloudTrail record.
func (e *Event) Key() (EventKey, bool) {
	if e.EventID == "" {
		return EventKey{}, false
	}
	var arr [256]byte
	b := arr[:0]
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time.Unix()))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.Time.Nanosecond()))
	for _, s := range [...]string{e.EventID, e.Account, e.Region, e.EventSource, e.EventName} {
		// Length-prefixed, so that no two tuples give the same bytes.
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	h := xxh3.Hash128(b)
	var k EventKey
	binary.BigEndian.PutUint64(k[:8], h.Hi)
	binary.BigEndian.PutUint64(k[8:], h.Lo)
	return k, true
}

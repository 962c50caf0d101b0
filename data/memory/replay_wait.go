package memory

import (
	"errors"
	"math"
)

// A retry under an idempotency key the store holds already is answered
// as a replay of the first attempt. The first attempt may still be
// waiting for the disk (the client gave up on it, or sent twice at once),
// so the replay waits for the first attempt's record too: it is
// acknowledged only once a crash can no longer take the write back, and
// fails as the first did when the record could not be stored. Each key
// keeps, beside what it answers, its record's journal sequence (keySeq):
// a first-time write pays for one integer and nothing more.

// notStored is the sequence kept with a key whose record the journal
// refused: the write was made in memory but never stored.
const notStored = math.MaxUint64

// errNotStored is why the replay of a write that was never stored fails.
var errNotStored = errors.New("the first request under this idempotency key was not stored")

// keySeq is the sequence to keep with the key of the write tk logged: 0
// when there is nothing to wait for (a store in memory only), notStored
// when the journal refused the record.
func (tk ticket) keySeq() uint64 {
	if tk.err != nil {
		return notStored
	}
	return tk.seq
}

// replayTicket is the ticket a replay settles on: that of the first
// attempt's record, from the sequence kept with its key. Keys loaded from
// the data directory, and those of a store in memory only, keep 0: there
// is nothing to wait for.
func replayTicket(seq uint64) ticket {
	switch seq {
	case 0:
		return ticket{}
	case notStored:
		return ticket{err: errNotStored, replay: true}
	}
	return ticket{seq: seq, replay: true}
}

package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jingge/data"
)

// answerRecord is an answer kept under an idempotency key (data.AnswerKey),
// as journaled with its write and held in snapshots.
type answerRecord struct {
	Scope, Key  string
	Digest      []byte
	Status      int
	ContentType string
	Body        []byte
	At          time.Time
	// seq is the journal sequence of the record that kept the answer
	// (keySeq), which a retry waits for; 0 when it is on disk already
	// (loaded at open) or kept in memory only. Unexported: neither
	// journaled nor snapshotted.
	seq uint64
}

func (r *answerRecord) answer() data.Answer {
	return data.Answer{Status: r.Status, ContentType: r.ContentType, Body: slices.Clone(r.Body), At: r.At}
}

var _ data.AnswerStore = (*Store)(nil)

// Answered implements data.AnswerStore.
func (s *Store) Answered(ctx context.Context, k data.AnswerKey) (data.Answer, error) {
	if err := ctx.Err(); err != nil {
		return data.Answer{}, err
	}
	s.mu.Lock()
	r, ok := s.answers[scopedKey{k.Scope, k.Key}]
	var a data.Answer
	if ok {
		a = r.answer()
	}
	s.mu.Unlock()
	if !ok {
		return data.Answer{}, fmt.Errorf("memory: answer of key %q: %w", k.Key, data.ErrNotFound)
	}
	if !slices.Equal(r.Digest, k.Digest) {
		return data.Answer{}, fmt.Errorf("memory: %w", data.KeyConflict(k.Key, r.At))
	}
	// The answer is sent again as the write's: only once the write that
	// kept it is on disk (replay_wait.go).
	if err := s.jr.settle(replayTicket(r.seq), nil); err != nil {
		return data.Answer{}, err
	}
	return a, nil
}

// usedKeyLocked is the error of a keyed write whose key is kept already
// (a data.Replay or a KeyConflict), nil for a new key or none. On a
// replay it sets *tk to the ticket of the write that kept the answer, for
// the caller's settle to wait on (replay_wait.go). s.mu must be held.
func (s *Store) usedKeyLocked(k *data.AnswerKey, tk *ticket) error {
	if k == nil {
		return nil
	}
	if err := data.CheckAnswerKey(k); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	r, ok := s.answers[scopedKey{k.Scope, k.Key}]
	if !ok {
		return nil
	}
	err := data.MatchAnswer(*k, r.Digest, r.answer())
	if _, replay := data.AsReplay(err); replay {
		*tk = replayTicket(r.seq)
	}
	return fmt.Errorf("memory: %w", err)
}

// answerRecordOf is the record keeping answer a under k; nil without a
// key. It keeps nothing: keepLoggedLocked does, once the write's record
// is logged with it.
func (s *Store) answerRecordOf(k *data.AnswerKey, a data.Answer) *answerRecord {
	if k == nil {
		return nil
	}
	return &answerRecord{Scope: k.Scope, Key: k.Key, Digest: slices.Clone(k.Digest), Status: a.Status, ContentType: a.ContentType,
		Body: slices.Clone(a.Body), At: storeTime(s.now())}
}

// checkKeyed refuses a keyed write without the function building its
// answer: the key would be kept with nothing to answer.
func checkKeyed(k *data.AnswerKey, hasAnswer bool) error {
	if k != nil && !hasAnswer {
		return fmt.Errorf("memory: a write under the key %q without the answer to keep", k.Key)
	}
	return nil
}

// keepLocked keeps r (nil: nothing). s.mu must be held, or the store not
// yet shared (replay).
func (s *Store) keepLocked(r *answerRecord) {
	if r == nil {
		return
	}
	if s.answers == nil {
		s.answers = map[scopedKey]answerRecord{}
	}
	s.answers[scopedKey{r.Scope, r.Key}] = *r
}

// keepLoggedLocked keeps r (nil: nothing), the answer of the write tk
// logged, with the sequence a retry waits for. s.mu must be held.
func (s *Store) keepLoggedLocked(r *answerRecord, tk ticket) {
	if r != nil {
		r.seq = tk.keySeq()
	}
	s.keepLocked(r)
}

// pruneAnswersLocked removes the answers kept under keys first used
// before t and returns how many it removed (or would remove, on a dry
// run).
func (s *Store) pruneAnswersLocked(t time.Time, dryRun bool) int {
	n := 0
	for k, r := range s.answers {
		if r.At.Before(t) {
			n++
			if !dryRun {
				delete(s.answers, k)
			}
		}
	}
	return n
}

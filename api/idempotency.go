package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"net/http"

	"jingge/data"
)

// keyScope is the scope of the Idempotency-Key of the request with ctx
// (data.ScopeCommandLine explains scopes): the signed-in user's name, so
// one user's keys never meet another's. A server without access control
// has one scope, the empty one.
//
// It is the user, not the credential, so a gateway that retries a batch
// with a new token, or an officer who signs in again, is still
// recognised.
func keyScope(ctx context.Context) string {
	if p, ok := principalFrom(ctx); ok && !p.anonymous() {
		return p.user.Name
	}
	return ""
}

// answerKey is the data.AnswerKey of r's Idempotency-Key for a write
// whose answer the store keeps (grid edits, plan applies, assessment
// entries); nil when r has none. Its digest is of the method, the path
// and the body as sent, so a retry must send the same bytes: a changed
// body under the same key is a 409, never a replay.
func answerKey(r *http.Request, body []byte) (*data.AnswerKey, error) {
	key := r.Header.Get(headerIdempotencyKey)
	if key == "" {
		return nil, nil
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %d\n", r.Method, r.URL.EscapedPath(), len(body))
	h.Write(body)
	return &data.AnswerKey{Scope: keyScope(r.Context()), Key: key, Digest: h.Sum(nil)}, nil
}

// answerKept answers r with the answer kept under k, when there is one,
// and reports whether it did. It runs before a keyed write's own checks,
// so a retry of a write that committed is answered as the first time even
// where doing it again would now be refused (a plan applied already, a
// version moved on). A key used with another request is the 409 of
// data.KeyConflict.
func (s *Server) answerKept(w http.ResponseWriter, r *http.Request, k *data.AnswerKey) (bool, error) {
	if k == nil || s.answers == nil {
		return false, nil
	}
	a, err := s.answers.Answered(r.Context(), *k)
	switch {
	case errors.Is(err, data.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	writeAnswer(w, a)
	return true, nil
}

// replayed answers r when err is a store's replay of a keyed write that
// committed meanwhile (the same key sent twice at once), and reports
// whether it did.
func replayed(w http.ResponseWriter, err error) bool {
	rep, ok := data.AsReplay(err)
	if ok {
		writeAnswer(w, rep.Answer)
	}
	return ok
}

// jsonAnswer and writeAnswer keep and send a keyed write's answer byte
// for byte.
var (
	jsonAnswer  = httpx.JSONAnswer
	writeAnswer = httpx.WriteAnswer
)

// createdStatus is a keyed write's status: 201 when it stored something,
// 200 when it replayed the first answer.
func createdStatus(replayed bool) int {
	if replayed {
		return http.StatusOK
	}
	return http.StatusCreated
}

// keyedAnswer runs do, a write whose answer the store keeps under r's
// Idempotency-Key (answerKey, body the request's as sent): an answer kept
// already is sent again byte for byte; otherwise do writes and keeps the
// answer it is given, the content type and document show makes of its
// result (nil: JSON of the result as it is), which is sent.
func keyedAnswer[T any](s *Server, w http.ResponseWriter, r *http.Request, body []byte, do func(*data.AnswerKey, func(T) data.Answer) (T, error), show func(T) (string, any)) error {
	key, err := answerKey(r, body)
	if err != nil {
		return err
	}
	if done, err := s.answerKept(w, r, key); done || err != nil {
		return err
	}
	if show == nil {
		show = func(t T) (string, any) { return httpx.ContentTypeJSON, t }
	}
	var kept data.Answer
	out, err := do(key, func(out T) data.Answer {
		ct, doc := show(out)
		kept = jsonAnswer(r, http.StatusOK, ct, doc)
		return kept
	})
	if replayed(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	if key != nil {
		writeAnswer(w, kept)
		return nil
	}
	ct, doc := show(out)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ct, doc)
	return nil
}

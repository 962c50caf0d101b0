package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"jingge/data"
)

// answerKey is a key of scope with a digest naming the request.
func answerKey(scope, key, request string) *data.AnswerKey {
	return &data.AnswerKey{Scope: scope, Key: key, Digest: []byte(request)}
}

// wantReplay checks that err is a replay of want: nothing written, the
// first answer given back byte for byte.
func wantReplay(t *testing.T, what string, err error, want data.Answer) {
	t.Helper()
	r, ok := data.AsReplay(err)
	if !ok {
		t.Fatalf("%s: %v, want a replay of the first answer", what, err)
	}
	if r.Answer.Status != want.Status || r.Answer.ContentType != want.ContentType || !bytes.Equal(r.Answer.Body, want.Body) {
		t.Errorf("%s: replayed %d %s %q, want %d %s %q", what, r.Answer.Status, r.Answer.ContentType, r.Answer.Body, want.Status, want.ContentType, want.Body)
	}
	if r.Answer.At.IsZero() {
		t.Errorf("%s: the replayed answer says no time of first use", what)
	}
}

// wantKeyConflict checks that err is the 409 of a key sent with another
// request, naming the key.
func wantKeyConflict(t *testing.T, what string, err error, key string) {
	t.Helper()
	if !errors.Is(err, data.ErrConflict) || !bytes.Contains([]byte(err.Error()), []byte(fmt.Sprintf("%q", key))) {
		t.Errorf("%s: %v, want ErrConflict naming the key %q", what, err, key)
	}
}

// wantAnswered checks what Answered gives for k.
func wantAnswered(t *testing.T, st data.AnswerStore, k *data.AnswerKey, want data.Answer) {
	t.Helper()
	got, err := st.Answered(context.Background(), *k)
	if err != nil {
		t.Fatalf("Answered(%s, %s): %v", k.Scope, k.Key, err)
	}
	if got.Status != want.Status || !bytes.Equal(got.Body, want.Body) || got.ContentType != want.ContentType {
		t.Errorf("Answered(%s, %s) = %d %q, want %d %q", k.Scope, k.Key, got.Status, got.Body, want.Status, want.Body)
	}
}

func editAnswer(gv data.GridVersion) data.Answer {
	return data.Answer{Status: 200, ContentType: "application/geo+json", Body: fmt.Appendf(nil, `{"id":%q,"version":%d,"name":%q}`, gv.Grid.ID, gv.Version, gv.Grid.Name)}
}

// testGridEditKey: an edit retried under its key is written once and
// answered as the first time, even against a version it no longer
// matches; another request under the key is a conflict; another caller's
// key of the same name is another edit.
func testGridEditKey(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	g := *gridByID(ds, "P0-0")
	g.Name = "renamed once"
	k := answerKey("alice", "edit-1", "PUT P0-0 renamed once")
	var first data.Answer
	gv, err := st.EditGrid(ctx, data.GridEdit{Grid: g, BaseVersion: 1, Actor: "alice", Key: k, Answer: func(v data.GridVersion) data.Answer {
		first = editAnswer(v)
		return first
	}})
	if err != nil || gv.Version != 2 {
		t.Fatalf("EditGrid with a key: version %d, %v; want 2", gv.Version, err)
	}
	// The retry is built against the version now in force, as a client's
	// retry through the API is; it must still write nothing.
	_, err = st.EditGrid(ctx, data.GridEdit{Grid: g, BaseVersion: 1, Actor: "alice", Key: k, Answer: editAnswer})
	wantReplay(t, "the same edit under its key again", err, first)
	g2 := g
	g2.Name = "renamed twice"
	_, err = st.EditGrid(ctx, data.GridEdit{Grid: g2, Actor: "alice", Key: answerKey("alice", "edit-1", "PUT P0-0 renamed twice"), Answer: editAnswer})
	wantKeyConflict(t, "another edit under a used key", err, "edit-1")
	if h, err := st.GridHistory(ctx, "P0-0"); err != nil || len(h) != 2 || h[1].Grid.Name != "renamed once" {
		t.Fatalf("history after a replay and a conflict: %d versions, %v; want 2, the last named as the first edit", len(h), err)
	}
	wantAnswered(t, st, k, first)
	if _, err := st.Answered(ctx, *answerKey("bob", "edit-1", "PUT P0-0 renamed once")); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Answered for another caller's key: %v, want ErrNotFound", err)
	}
	if _, err := st.Answered(ctx, *answerKey("alice", "edit-1", "another request")); !errors.Is(err, data.ErrConflict) {
		t.Errorf("Answered with another request: %v, want ErrConflict", err)
	}
	bob, err := st.EditGrid(ctx, data.GridEdit{Grid: g2, Actor: "bob", Key: answerKey("bob", "edit-1", "PUT P0-0 renamed twice"), Answer: editAnswer})
	if err != nil || bob.Version != 3 {
		t.Errorf("another caller's edit under the same key: version %d, %v; want a new version 3", bob.Version, err)
	}
}

// testGridEditKeyNoChange: an edit that changes nothing keeps its answer
// too, so its retry after someone else's edit is not answered with that.
func testGridEditKeyNoChange(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	g := *gridByID(ds, "P0-0")
	k := answerKey("alice", "same", "PUT P0-0 as it is")
	first := data.Answer{}
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Key: k, Answer: func(v data.GridVersion) data.Answer { first = editAnswer(v); return first }}); err != nil {
		t.Fatalf("EditGrid changing nothing: %v", err)
	}
	other := g
	other.Name = "renamed by bob"
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: other, Actor: "bob"}); err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	_, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Key: k, Answer: editAnswer})
	wantReplay(t, "a retried edit that changed nothing", err, first)
	if h, _ := st.GridHistory(ctx, "P0-0"); len(h) != 2 || h[1].Grid.Name != "renamed by bob" {
		t.Errorf("history: %d versions; want bob's edit in force and nothing after it", len(h))
	}
}

// testPlanApplyKey: a plan apply retried under its key answers as the
// first time instead of "applied already".
func testPlanApplyKey(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := savePlan(t, st, samplePlan(ds))
	a := sampleApplication(p.ID, ds)
	a.Key = answerKey("alice", "apply-1", "apply "+p.ID)
	var first data.Answer
	a.Answer = func(res data.PlanApplied) data.Answer {
		first = data.Answer{Status: 200, ContentType: "application/json", Body: fmt.Appendf(nil, `{"dataset":%q,"grids":%d}`, res.Dataset, len(res.GridVersions))}
		return first
	}
	if _, err := st.ApplyPlan(ctx, a); err != nil {
		t.Fatalf("ApplyPlan with a key: %v", err)
	}
	after := snapshot(t, st)
	_, err := st.ApplyPlan(ctx, a)
	wantReplay(t, "the same apply under its key again", err, first)
	b := a
	b.Key = answerKey("alice", "apply-1", "apply another plan")
	_, err = st.ApplyPlan(ctx, b)
	wantKeyConflict(t, "another apply under a used key", err, "apply-1")
	SameDataset(t, after, snapshot(t, st))
	if h, err := st.GridHistory(ctx, movedGrid); err != nil || len(h) != 2 {
		t.Errorf("history of %s after a replay: %d versions, %v; want 2", movedGrid, len(h), err)
	}
	wantAnswered(t, st, a.Key, first)
	// Bob's key of the same name is his own: his apply is refused for
	// what it is (the plan is applied), not answered with Alice's answer.
	c := a
	c.Key = answerKey("bob", "apply-1", "apply "+p.ID)
	if _, err := st.ApplyPlan(ctx, c); !errors.Is(err, data.ErrConflict) || isReplay(err) {
		t.Errorf("another caller applying the applied plan under the same key: %v, want the plan's own conflict", err)
	}
}

func isReplay(err error) bool {
	_, ok := data.AsReplay(err)
	return ok
}

// testAssessmentKey: entries retried under their key are not saved again
// over entries saved since.
func testAssessmentKey(t *testing.T, open PlanOpener) {
	st := open(t, Small())
	ctx := context.Background()
	mine := entry("s01", "2026-03", [2]float64{1, 2}, [2]float64{0, 0}, [2]float64{0, 0}, [2]float64{0, 0})
	theirs := entry("s01", "2026-03", [2]float64{2, 2}, [2]float64{0, 0}, [2]float64{0, 0}, [2]float64{0, 0})
	answer := data.Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"saved":1,"months":["2026-03"]}`)}
	w := data.AssessmentWrite{Entries: []data.AssessmentEntry{mine}, Actor: "alice", Key: answerKey("alice", "entries-1", "PUT entries mine"), Answer: func() data.Answer { return answer }}
	if err := st.PutAssessment(ctx, w); err != nil {
		t.Fatalf("PutAssessment with a key: %v", err)
	}
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{theirs}, Actor: "bob"}); err != nil {
		t.Fatalf("PutAssessment: %v", err)
	}
	wantReplay(t, "the same entries under their key again", st.PutAssessment(ctx, w), answer)
	other := w
	other.Key = answerKey("alice", "entries-1", "PUT entries other")
	wantKeyConflict(t, "other entries under a used key", st.PutAssessment(ctx, other), "entries-1")
	got, err := st.Assessment(ctx, "2026-03", "2026-03")
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	sameEntries(t, "after a replay", got, []data.AssessmentEntry{theirs})
	bob := w
	bob.Key = answerKey("bob", "entries-1", "PUT entries mine")
	if err := st.PutAssessment(ctx, bob); err != nil {
		t.Fatalf("another caller's entries under the same key: %v, want them saved", err)
	}
	got, _ = st.Assessment(ctx, "2026-03", "2026-03")
	sameEntries(t, "after another caller's write", got, []data.AssessmentEntry{mine})
}

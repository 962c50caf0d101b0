package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
)

// answers is the data.AnswerStore of a store under test, which every
// store keeping keyed changes is.
func answers(t *testing.T, st any) data.AnswerStore {
	t.Helper()
	a, ok := st.(data.AnswerStore)
	if !ok {
		t.Fatalf("%T keeps no answers (data.AnswerStore)", st)
	}
	return a
}

func taskAnswer(t geo.Task) data.Answer {
	return data.Answer{Status: 200, ContentType: "application/json", Body: fmt.Appendf(nil, `{"id":%q,"done_at":%q,"done_by":%q}`, t.ID, t.DoneAt.UTC().Format(time.RFC3339Nano), t.DoneBy)}
}

// testTaskKeyedDone: a task marked done under a key and retried, as a
// phone retries a change whose answer it lost, is answered as the first
// time instead of "done already"; another request under the key is a
// conflict; a refused change keeps nothing under its key; another
// caller's key of the same name is theirs.
func testTaskKeyedDone(t *testing.T, open func(*testing.T) data.TaskStore) {
	st := open(t)
	ans := answers(t, st)
	ctx := context.Background()
	ts := sampleTasks(2)
	ts[1].DoneAt, ts[1].DoneBy = time.Time{}, ""
	taskKind.addAll(t, st, ts)
	k := answerKey("alice", "done-1", "PATCH task 1 done")
	doneAt := ts[0].Due.Add(-time.Hour)
	var first data.Answer
	p := data.TaskPatch{DoneAt: doneAt, By: "alice", Key: k, Answer: func(t geo.Task) data.Answer { first = taskAnswer(t); return first }}
	done, err := st.UpdateTask(ctx, ts[0].ID, p)
	if err != nil || !done.DoneAt.Equal(doneAt) || done.DoneBy != "alice" {
		t.Fatalf("marking done under a key: %+v, %v", done, err)
	}
	if first.Body == nil {
		t.Fatal("the keyed change built no answer to keep")
	}
	// The retry is made later, by the same caller, against a task that
	// is done now: it must change nothing and answer as the first time.
	again := p
	again.DoneAt, again.Answer = time.Time{}, taskAnswer
	_, err = st.UpdateTask(ctx, ts[0].ID, again)
	wantReplay(t, "the same change under its key again", err, first)
	wantAnswered(t, ans, k, first)
	other := again
	other.Key = answerKey("alice", "done-1", "PATCH task 2 done")
	_, err = st.UpdateTask(ctx, ts[1].ID, other)
	wantKeyConflict(t, "another change under a used key", err, "done-1")
	sameTasks(t, []geo.Task{done, ts[1]}, []geo.Task{mustTask(t, st, ts[0].ID), mustTask(t, st, ts[1].ID)})

	// A change refused for what it is (the task is done) is refused again
	// on retry, not kept as an answer.
	refused := data.TaskPatch{By: "bob", Key: answerKey("bob", "done-2", "PATCH task 1 done"), Answer: taskAnswer}
	if _, err := st.UpdateTask(ctx, ts[0].ID, refused); !errors.Is(err, data.ErrConflict) || isReplay(err) {
		t.Fatalf("a keyed change of a done task: %v, want the task's own conflict", err)
	}
	if _, err := ans.Answered(ctx, *refused.Key); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Answered after a refused change: %v, want ErrNotFound", err)
	}
	// Bob's key of Alice's name is his own.
	bob := data.TaskPatch{By: "bob", Key: answerKey("bob", "done-1", "PATCH task 2 done"), Answer: taskAnswer}
	if got, err := st.UpdateTask(ctx, ts[1].ID, bob); err != nil || got.DoneBy != "bob" {
		t.Errorf("another caller's change under the same key: %+v, %v; want task 2 done by bob", got, err)
	}
	if _, err := st.UpdateTask(ctx, ts[0].ID, data.TaskPatch{By: "carol", Key: answerKey("carol", "k", "x")}); err == nil {
		t.Error("a keyed change without the answer to keep was accepted")
	}
}

func mustTask(t *testing.T, st data.TaskStore, id string) geo.Task {
	t.Helper()
	got, err := st.Task(context.Background(), id)
	if err != nil {
		t.Fatalf("Task(%s): %v", id, err)
	}
	return got
}

func disputeAnswer(d geo.DisputeCase) data.Answer {
	return data.Answer{Status: 200, ContentType: "application/geo+json", Body: fmt.Appendf(nil, `{"id":%q,"level":%q,"updated_by":%q}`, d.ID, d.Level, d.UpdatedBy)}
}

// testDisputeKeyedChange: a dispute's change retried under its key after
// someone else moved the dispute on is answered as the first time and
// undoes nothing; another request under the key is a conflict.
func testDisputeKeyedChange(t *testing.T, open func(*testing.T) data.DisputeStore) {
	st := open(t)
	ans := answers(t, st)
	ctx := context.Background()
	ds := sampleDisputes(1)
	disputeKind.addAll(t, st, ds)
	id := ds[0].ID
	level := func(l geo.DisputeLevel) *geo.DisputeLevel { return &l }
	method := func(m geo.SettleMethod) *geo.SettleMethod { return &m }
	k := answerKey("alice", "settle-1", "PATCH dispute village")
	var first data.Answer
	p := data.DisputePatch{Level: level(geo.LevelVillage), Method: method(geo.PeopleMediation), By: "alice", Key: k,
		Answer: func(d geo.DisputeCase) data.Answer { first = disputeAnswer(d); return first }}
	if got, err := st.UpdateDispute(ctx, id, p); err != nil || got.Level != geo.LevelVillage {
		t.Fatalf("settling at village under a key: %+v, %v", got, err)
	}
	up, err := st.UpdateDispute(ctx, id, data.DisputePatch{Level: level(geo.LevelTownship), Method: method(geo.JudicialOffice), By: "bob"})
	if err != nil {
		t.Fatalf("moving the dispute on: %v", err)
	}
	again := p
	again.Answer = disputeAnswer
	_, err = st.UpdateDispute(ctx, id, again)
	wantReplay(t, "the first change retried after another", err, first)
	other := again
	other.Key = answerKey("alice", "settle-1", "PATCH dispute county")
	other.Level = level(geo.LevelCounty)
	_, err = st.UpdateDispute(ctx, id, other)
	wantKeyConflict(t, "another change under a used key", err, "settle-1")
	got, err := st.Dispute(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sameDisputes(t, []geo.DisputeCase{up}, []geo.DisputeCase{got})
	wantAnswered(t, ans, k, first)
}

package memory

import "jingge/geo"

// The journal records of a dispute or task changed under an idempotency
// key (PATCH with an Idempotency-Key), numbered apart from
// durable_journal.go's list: see recordKind. A change without a key is
// journaled as before (recDisputeUpdate, recTaskUpdate), so a directory
// whose changes carry no key reads the same in an older jingge; one that
// kept an answer is refused there rather than replayed without it.
const (
	recTaskUpdateKeyed    recordKind = 26
	recDisputeUpdateKeyed recordKind = 27
)

type (
	taskKeyedUpdateRecord struct {
		Task   geo.Task // as it is after the change
		Answer *answerRecord
	}
	disputeKeyedUpdateRecord struct {
		Dispute geo.DisputeCase // as it is after the change
		Answer  *answerRecord
	}
)

func (taskKind) keyedUpdateEntry(t geo.Task, a *answerRecord) (recordKind, any) {
	return recTaskUpdateKeyed, taskKeyedUpdateRecord{Task: t, Answer: a}
}

func (disputeKind) keyedUpdateEntry(d geo.DisputeCase, a *answerRecord) (recordKind, any) {
	return recDisputeUpdateKeyed, disputeKeyedUpdateRecord{Dispute: d, Answer: a}
}

// replayTaskKeyedUpdate and replayDisputeKeyedUpdate apply a keyed
// change and keep its answer, as updateWork did.
func replayTaskKeyedUpdate(d *Durable, r taskKeyedUpdateRecord) error {
	if err := d.Store.tasks.ReplayUpdate(r.Task, r.Task.ID); err != nil {
		return err
	}
	d.Store.keepLocked(r.Answer)
	return nil
}

func replayDisputeKeyedUpdate(d *Durable, r disputeKeyedUpdateRecord) error {
	if err := d.Store.disputes.ReplayUpdate(r.Dispute, r.Dispute.ID); err != nil {
		return err
	}
	d.Store.keepLocked(r.Answer)
	return nil
}

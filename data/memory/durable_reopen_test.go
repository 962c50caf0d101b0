package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/patrol"
)

// reopening is a durable store that is closed and opened again from its
// directory after every write, so the read that checks a write sees only
// what the directory kept. Reads may run at once; a write and its reopen
// run alone. Watchers are kept here and fed by each store opened in turn.
type reopening struct {
	t    testing.TB
	path string
	opts memory.DirOptions

	mu sync.RWMutex
	d  *memory.Durable
	// stopFollowing stops following the open store's changes.
	stopFollowing func()

	watchMu   sync.Mutex
	watchers  map[chan struct{}]struct{}
	pwatchers map[chan struct{}]struct{}
}

func newReopening(t testing.TB, path string, opts memory.DirOptions) *reopening {
	r := &reopening{t: t, path: path, opts: opts, watchers: map[chan struct{}]struct{}{}, pwatchers: map[chan struct{}]struct{}{}}
	r.open()
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stopFollowing()
		if err := r.d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func (r *reopening) open() {
	r.t.Helper()
	d, err := memory.OpenDir(r.path, r.opts)
	if err != nil {
		r.t.Fatalf("OpenDir: %v", err)
	}
	r.d = d
	ctx, cancel := context.WithCancel(context.Background())
	ch, _ := d.Watch(ctx)
	pch, _ := d.Patrols.WatchPatrols(ctx)
	var wg sync.WaitGroup
	for _, f := range []struct {
		ch  <-chan struct{}
		set map[chan struct{}]struct{}
	}{{ch, r.watchers}, {pch, r.pwatchers}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range f.ch { // a pending value is read before the close
				r.fanOut(f.set)
			}
		}()
	}
	r.stopFollowing = func() { cancel(); wg.Wait() }
}

func (r *reopening) fanOut(set map[chan struct{}]struct{}) {
	r.watchMu.Lock()
	defer r.watchMu.Unlock()
	for ch := range set {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (r *reopening) watch(ctx context.Context, set map[chan struct{}]struct{}) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	r.watchMu.Lock()
	set[ch] = struct{}{}
	r.watchMu.Unlock()
	go func() {
		<-ctx.Done()
		r.watchMu.Lock()
		delete(set, ch)
		close(ch)
		r.watchMu.Unlock()
	}()
	return ch, nil
}

// reopen closes the store and opens the directory again. r.mu must be held.
func (r *reopening) reopen() {
	r.stopFollowing()
	if err := r.d.Close(); err != nil {
		r.t.Errorf("Close: %v", err)
	}
	r.open()
}

func write[T any](r *reopening, fn func(d *memory.Durable) (T, error)) (T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := fn(r.d)
	r.reopen()
	return v, err
}

func write0(r *reopening, fn func(d *memory.Durable) error) error {
	_, err := write(r, func(d *memory.Durable) (struct{}, error) { return struct{}{}, fn(d) })
	return err
}

func read[T any](r *reopening, fn func(d *memory.Durable) (T, error)) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return fn(r.d)
}

// data.Store, data.Importer, data.GridEditor, data.History, data.GridTimeline

func (r *reopening) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	return read(r, func(d *memory.Durable) (*geo.Dataset, error) { return d.Snapshot(ctx) })
}
func (r *reopening) Watch(ctx context.Context) (<-chan struct{}, error) {
	return r.watch(ctx, r.watchers)
}
func (r *reopening) Close() error { return nil } // the cleanup closes
func (r *reopening) Import(ctx context.Context, ds *geo.Dataset, o data.ImportOptions) (data.ImportReport, error) {
	return write(r, func(d *memory.Durable) (data.ImportReport, error) { return d.Import(ctx, ds, o) })
}
func (r *reopening) EditGrid(ctx context.Context, e data.GridEdit) (data.GridVersion, error) {
	return write(r, func(d *memory.Durable) (data.GridVersion, error) { return d.EditGrid(ctx, e) })
}
func (r *reopening) SnapshotAt(ctx context.Context, t time.Time) (*geo.Dataset, error) {
	return read(r, func(d *memory.Durable) (*geo.Dataset, error) { return d.SnapshotAt(ctx, t) })
}
func (r *reopening) GridHistory(ctx context.Context, id string) ([]data.GridVersion, error) {
	return read(r, func(d *memory.Durable) ([]data.GridVersion, error) { return d.GridHistory(ctx, id) })
}
func (r *reopening) GridEpochs(ctx context.Context) ([]time.Time, error) {
	return read(r, func(d *memory.Durable) ([]time.Time, error) { return d.GridEpochs(ctx) })
}

// data.IncidentStore

func (r *reopening) AddIncidents(ctx context.Context, b data.IncidentBatch) (data.AddResult, error) {
	return write(r, func(d *memory.Durable) (data.AddResult, error) { return d.AddIncidents(ctx, b) })
}
func (r *reopening) Incident(ctx context.Context, id string) (geo.Incident, error) {
	return read(r, func(d *memory.Durable) (geo.Incident, error) { return d.Incident(ctx, id) })
}
func (r *reopening) UpdateIncident(ctx context.Context, id string, p data.IncidentPatch) (geo.Incident, error) {
	return write(r, func(d *memory.Durable) (geo.Incident, error) { return d.UpdateIncident(ctx, id, p) })
}
func (r *reopening) QueryIncidents(ctx context.Context, f data.IncidentFilter, p data.Page) (data.IncidentPage, error) {
	return read(r, func(d *memory.Durable) (data.IncidentPage, error) { return d.QueryIncidents(ctx, f, p) })
}
func (r *reopening) AggregateIncidents(ctx context.Context, a data.Aggregation) ([]data.AggregateRow, error) {
	return read(r, func(d *memory.Durable) ([]data.AggregateRow, error) { return d.AggregateIncidents(ctx, a) })
}

// data.VisitStore

func (r *reopening) PutArea(ctx context.Context, e data.AreaEdit) (geo.Area, error) {
	return write(r, func(d *memory.Durable) (geo.Area, error) { return d.PutArea(ctx, e) })
}
func (r *reopening) PutPlace(ctx context.Context, e data.PlaceEdit) (geo.Place, error) {
	return write(r, func(d *memory.Durable) (geo.Place, error) { return d.PutPlace(ctx, e) })
}
func (r *reopening) DeleteArea(ctx context.Context, d data.OverlayDelete) error {
	return write0(r, func(m *memory.Durable) error { return m.DeleteArea(ctx, d) })
}
func (r *reopening) DeletePlace(ctx context.Context, d data.OverlayDelete) error {
	return write0(r, func(m *memory.Durable) error { return m.DeletePlace(ctx, d) })
}
func (r *reopening) PutCheckpoint(ctx context.Context, e data.CheckpointEdit) (geo.Checkpoint, error) {
	return write(r, func(d *memory.Durable) (geo.Checkpoint, error) { return d.PutCheckpoint(ctx, e) })
}
func (r *reopening) DeleteCheckpoint(ctx context.Context, d data.OverlayDelete) error {
	return write0(r, func(m *memory.Durable) error { return m.DeleteCheckpoint(ctx, d) })
}
func (r *reopening) AddVisit(ctx context.Context, w data.VisitWrite) (data.VisitResult, error) {
	return write(r, func(d *memory.Durable) (data.VisitResult, error) { return d.AddVisit(ctx, w) })
}
func (r *reopening) QueryVisits(ctx context.Context, f data.VisitFilter, p data.Page) (data.VisitPage, error) {
	return read(r, func(d *memory.Durable) (data.VisitPage, error) { return d.QueryVisits(ctx, f, p) })
}

// data.DisputeStore, data.TaskStore

func (r *reopening) AddDispute(ctx context.Context, w data.DisputeWrite) (data.DisputeResult, error) {
	return write(r, func(d *memory.Durable) (data.DisputeResult, error) { return d.AddDispute(ctx, w) })
}
func (r *reopening) UpdateDispute(ctx context.Context, id string, p data.DisputePatch) (geo.DisputeCase, error) {
	return write(r, func(d *memory.Durable) (geo.DisputeCase, error) { return d.UpdateDispute(ctx, id, p) })
}
func (r *reopening) QueryDisputes(ctx context.Context, f data.DisputeFilter, p data.Page) (data.DisputePage, error) {
	return read(r, func(d *memory.Durable) (data.DisputePage, error) { return d.QueryDisputes(ctx, f, p) })
}
func (r *reopening) Dispute(ctx context.Context, id string) (geo.DisputeCase, error) {
	return read(r, func(d *memory.Durable) (geo.DisputeCase, error) { return d.Dispute(ctx, id) })
}
func (r *reopening) Task(ctx context.Context, id string) (geo.Task, error) {
	return read(r, func(d *memory.Durable) (geo.Task, error) { return d.Task(ctx, id) })
}
func (r *reopening) AddTask(ctx context.Context, w data.TaskWrite) (data.TaskResult, error) {
	return write(r, func(d *memory.Durable) (data.TaskResult, error) { return d.AddTask(ctx, w) })
}
func (r *reopening) UpdateTask(ctx context.Context, id string, p data.TaskPatch) (geo.Task, error) {
	return write(r, func(d *memory.Durable) (geo.Task, error) { return d.UpdateTask(ctx, id, p) })
}
func (r *reopening) QueryTasks(ctx context.Context, f data.TaskFilter, p data.Page) (data.TaskPage, error) {
	return read(r, func(d *memory.Durable) (data.TaskPage, error) { return d.QueryTasks(ctx, f, p) })
}

// data.PlanStore, data.AssessmentStore

func (r *reopening) SavePlan(ctx context.Context, p data.Plan) (data.Plan, error) {
	return write(r, func(d *memory.Durable) (data.Plan, error) { return d.SavePlan(ctx, p) })
}
func (r *reopening) Plan(ctx context.Context, id string) (data.Plan, error) {
	return read(r, func(d *memory.Durable) (data.Plan, error) { return d.Plan(ctx, id) })
}
func (r *reopening) Plans(ctx context.Context, limit int) ([]data.Plan, error) {
	return read(r, func(d *memory.Durable) ([]data.Plan, error) { return d.Plans(ctx, limit) })
}
func (r *reopening) ApplyPlan(ctx context.Context, a data.PlanApplication) (data.PlanApplied, error) {
	return write(r, func(d *memory.Durable) (data.PlanApplied, error) { return d.ApplyPlan(ctx, a) })
}
func (r *reopening) PutAssessment(ctx context.Context, w data.AssessmentWrite) error {
	return write0(r, func(d *memory.Durable) error { return d.PutAssessment(ctx, w) })
}

// data.AnswerStore

func (r *reopening) Answered(ctx context.Context, k data.AnswerKey) (data.Answer, error) {
	return read(r, func(d *memory.Durable) (data.Answer, error) { return d.Answered(ctx, k) })
}
func (r *reopening) Assessment(ctx context.Context, from, to string) ([]data.AssessmentEntry, error) {
	return read(r, func(d *memory.Durable) ([]data.AssessmentEntry, error) { return d.Assessment(ctx, from, to) })
}

// data.PatrolStore, data.EventHorizon

func (r *reopening) RecordPings(ctx context.Context, b data.PingBatch) (data.PingResult, error) {
	return write(r, func(d *memory.Durable) (data.PingResult, error) { return d.Patrols.RecordPings(ctx, b) })
}
func (r *reopening) SweepSilent(ctx context.Context, rules *patrol.Rules, now time.Time) ([]patrol.Event, error) {
	return write(r, func(d *memory.Durable) ([]patrol.Event, error) { return d.Patrols.SweepSilent(ctx, rules, now) })
}
func (r *reopening) RaiseUnvisited(ctx context.Context, u data.UnvisitedSweep) ([]patrol.Event, error) {
	return write(r, func(d *memory.Durable) ([]patrol.Event, error) { return d.Patrols.RaiseUnvisited(ctx, u) })
}
func (r *reopening) States(ctx context.Context, since data.StateCursor) ([]patrol.State, data.StateCursor, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.Patrols.States(ctx, since)
}
func (r *reopening) Track(ctx context.Context, officer string, from, to time.Time, limit int) ([]geo.Ping, bool, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.Patrols.Track(ctx, officer, from, to, limit)
}
func (r *reopening) EventsAfter(ctx context.Context, after int64, limit int) ([]patrol.Event, error) {
	return read(r, func(d *memory.Durable) ([]patrol.Event, error) { return d.Patrols.EventsAfter(ctx, after, limit) })
}
func (r *reopening) LastEventID(ctx context.Context) (int64, error) {
	return read(r, func(d *memory.Durable) (int64, error) { return d.Patrols.LastEventID(ctx) })
}
func (r *reopening) OldestEventID(ctx context.Context) (int64, error) {
	return read(r, func(d *memory.Durable) (int64, error) { return d.Patrols.OldestEventID(ctx) })
}
func (r *reopening) WatchPatrols(ctx context.Context) (<-chan struct{}, error) {
	return r.watch(ctx, r.pwatchers)
}

// data.AuthStore

func (r *reopening) CreateUser(ctx context.Context, u data.User) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.CreateUser(ctx, u) })
}
func (r *reopening) User(ctx context.Context, name string) (data.User, error) {
	return read(r, func(d *memory.Durable) (data.User, error) { return d.Auth.User(ctx, name) })
}
func (r *reopening) ListUsers(ctx context.Context) ([]data.User, error) {
	return read(r, func(d *memory.Durable) ([]data.User, error) { return d.Auth.ListUsers(ctx) })
}
func (r *reopening) SetPassword(ctx context.Context, name, hash string) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.SetPassword(ctx, name, hash) })
}
func (r *reopening) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.SetDisabled(ctx, name, disabled) })
}
func (r *reopening) CreateCredential(ctx context.Context, c data.Credential) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.CreateCredential(ctx, c) })
}
func (r *reopening) Authenticate(ctx context.Context, kind data.CredentialKind, hash [32]byte, now time.Time) (data.Authenticated, error) {
	return write(r, func(d *memory.Durable) (data.Authenticated, error) { return d.Auth.Authenticate(ctx, kind, hash, now) })
}
func (r *reopening) ListCredentials(ctx context.Context, kind data.CredentialKind, user string) ([]data.Credential, error) {
	return read(r, func(d *memory.Durable) ([]data.Credential, error) { return d.Auth.ListCredentials(ctx, kind, user) })
}
func (r *reopening) RevokeCredential(ctx context.Context, id string, now time.Time) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.RevokeCredential(ctx, id, now) })
}
func (r *reopening) AppendAudit(ctx context.Context, e []data.AuditEntry) error {
	return write0(r, func(d *memory.Durable) error { return d.Auth.AppendAudit(ctx, e) })
}
func (r *reopening) QueryAudit(ctx context.Context, q data.AuditQuery) ([]data.AuditEntry, error) {
	return read(r, func(d *memory.Durable) ([]data.AuditEntry, error) { return d.Auth.QueryAudit(ctx, q) })
}

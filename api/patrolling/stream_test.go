package patrolling

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/crs"
)

// newTestService serves the small synthetic dataset from a memory store
// whose clock stands at testNow.
func newTestService(t *testing.T, opts Options) (*Service, Names) {
	t.Helper()
	return newTestServiceKeeping(t, opts, 0)
}

// newTestServiceKeeping is newTestService whose store keeps only the
// newest maxEvents events (0: the default).
func newTestServiceKeeping(t *testing.T, opts Options, maxEvents int) (*Service, Names) {
	t.Helper()
	ix, err := geo.NewIndex(apitest.Small())
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	live := new(geo.Live)
	live.Store(ix)
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	n := Names{Index: ix, Datum: crs.WGS84}
	store := memory.NewPatrols(memory.PatrolOptions{Now: opts.Now, Retention: 365 * 24 * time.Hour, MaxEvents: maxEvents})
	return New(Config{Store: store, Options: opts, Live: live, Names: func() Names { return n }}), n
}

// record posts one ping of m1 per point, a second apart from sec, through
// ReadPings, Check and Record, and returns the events they raised.
func record(t *testing.T, s *Service, n Names, sec int, pts ...orb.Point) []Event {
	t.Helper()
	var evs []Event
	for i, pt := range pts {
		b, err := ReadPings([]byte(pingBody(pingJSON("m1", sec+i, pt, ""))), 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		pings, err := s.Check(b, n, func(p orb.Point) orb.Point { return p })
		if err != nil {
			t.Fatal(err)
		}
		resp, err := s.Record(t.Context(), n, "", "", pings)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, resp.Events...)
	}
	return evs
}

// recordSink keeps what a stream wrote.
type recordSink struct {
	mu    sync.Mutex
	ids   []int64
	named []string
	// sent is every event in the order written: its id, or its name.
	sent   []string
	change chan struct{}
}

func newRecordSink() *recordSink { return &recordSink{change: make(chan struct{}, 1000)} }

func (r *recordSink) Event(id int64, payload any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := payload.(Event); !ok || e.ID != id || e.Name != "王警官" {
		r.named = append(r.named, "bad-event")
	}
	r.ids = append(r.ids, id)
	r.sent = append(r.sent, strconv.FormatInt(id, 10))
	r.change <- struct{}{}
	return nil
}

func (r *recordSink) Named(name string, _ any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.named = append(r.named, name)
	r.sent = append(r.sent, name)
	r.change <- struct{}{}
	return nil
}

func (r *recordSink) Comment(string) error { return nil }

// waitIDs waits until the sink holds n events and returns their ids.
func (r *recordSink) waitIDs(t *testing.T, n int) []int64 {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		ids := append([]int64(nil), r.ids...)
		r.mu.Unlock()
		if len(ids) >= n {
			return ids
		}
		select {
		case <-r.change:
		case <-deadline:
			t.Fatalf("%d events within 20 s, want %d", len(ids), n)
		}
	}
}

// TestStreamEventsReplaysThenFollows: a stream from id 0 replays the
// stored events, then sends the hub's, skipping those it already sent,
// in id order; it ends with the client.
func TestStreamEventsReplaysThenFollows(t *testing.T) {
	s, n := newTestService(t, Options{})
	stored := record(t, s, n, 0, apitest.InCommunity, apitest.InCommunityB, apitest.InPoliceOnly)
	if len(stored) < 3 {
		t.Fatalf("%d events stored, want at least 3", len(stored))
	}
	sub, _ := s.Hub().Subscribe()
	sink := newRecordSink()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.StreamEvents(ctx, sink, sub, 0, Guard{}) }()
	sink.waitIDs(t, len(stored))

	more := record(t, s, n, 10, apitest.InCommunity)
	if _, err := s.publishAfter(t.Context(), 0); err != nil { // the stored ones again, then the new
		t.Fatal(err)
	}
	ids := sink.waitIDs(t, len(stored)+len(more))
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("ids %v, want 1 to %d once each, in order", ids, len(stored)+len(more))
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("stream ended with %v, want the client's leaving", err)
	}
	if s.Hub().Clients() != 0 {
		t.Error("the stream did not leave the hub")
	}
	if strings.Join(sink.named, ",") != "" {
		t.Errorf("named events %v, want none", sink.named)
	}
}

// TestStreamEndsByGuard: when the guard's check no longer admits the
// stream, it sends an event named end and ends with ErrStreamEnded; a
// check that admits it keeps it open.
func TestStreamEndsByGuard(t *testing.T) {
	s, _ := newTestService(t, Options{})
	due := make(chan time.Time, 1)
	checks := make(chan struct{}, 2)
	admit := true
	guard := Guard{C: due, Check: func(context.Context) any {
		defer func() { checks <- struct{}{} }()
		if admit {
			return nil
		}
		return "ended"
	}}
	for _, stream := range []struct {
		name string
		run  func(sink Sink, sub *Subscriber) error
	}{
		{"events", func(sink Sink, sub *Subscriber) error { return s.StreamEvents(t.Context(), sink, sub, 0, guard) }},
		{"positions", func(sink Sink, sub *Subscriber) error { return s.StreamPositions(t.Context(), sink, sub, guard) }},
	} {
		admit = true
		sub, _ := s.Hub().Subscribe()
		sink := newRecordSink()
		done := make(chan error, 1)
		go func() { done <- stream.run(sink, sub) }()
		due <- time.Time{}
		<-checks
		admit = false
		due <- time.Time{}
		<-checks
		if err := <-done; !errors.Is(err, ErrStreamEnded) {
			t.Errorf("%s: stream ended with %v, want ErrStreamEnded", stream.name, err)
		}
		if last := sink.named[len(sink.named)-1]; last != "end" {
			t.Errorf("%s: named events %v, want end last", stream.name, sink.named)
		}
	}
}

package patrolling

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
)

// runService starts s.Run and stops it when the test ends; stop ends it
// earlier and waits for it.
func runService(t *testing.T, s *Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// streamFrom starts StreamEvents after after into a new sink; the stream
// ends with the test.
func streamFrom(t *testing.T, s *Service, after int64) (*recordSink, <-chan error) {
	t.Helper()
	sub, ok := s.Hub().Subscribe()
	if !ok {
		t.Fatal("the hub is closed")
	}
	sink := newRecordSink()
	done := make(chan error, 1)
	go func() { done <- s.StreamEvents(t.Context(), sink, sub, after, Guard{}) }()
	return sink, done
}

// wantIDs fails t unless ids are from to to, once each, in order.
func wantIDs(t *testing.T, ids []int64, from, to int64) {
	t.Helper()
	want := []int64{}
	for id := from; id <= to; id++ {
		want = append(want, id)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %d to %d once each, in order", ids, from, to)
	}
}

// TestStreamOpenedBeforeRun: events committed after a stream's replay but
// before Run read where to publish from reach the stream. Run starts
// publishing after the newest event it finds, so those would come
// neither from the hub nor, the replay being over, from the store: the
// stream heard heartbeats and nothing else until the client reconnected.
func TestStreamOpenedBeforeRun(t *testing.T) {
	s, n := newTestService(t, Options{})
	first := record(t, s, n, 0, apitest.InCommunity)
	sink, _ := streamFrom(t, s, 0)
	sink.waitIDs(t, len(first)) // the replay read the store
	more := record(t, s, n, 10, apitest.InCommunityB, apitest.InPoliceOnly)
	runService(t, s)
	wantIDs(t, sink.waitIDs(t, len(first)+len(more)), 1, int64(len(first)+len(more)))

	// Once Run is live, what follows comes through the hub.
	last := record(t, s, n, 20, apitest.InCommunity)
	total := len(first) + len(more) + len(last)
	wantIDs(t, sink.waitIDs(t, total), 1, int64(total))
	if len(sink.named) != 0 {
		t.Errorf("named events %v, want none", sink.named)
	}
}

// TestRunEndClosesStreams: when Run returns, the streams end with the
// goodbye instead of staying open with no event ever coming again, and
// new ones are refused.
func TestRunEndClosesStreams(t *testing.T) {
	s, n := newTestService(t, Options{})
	stop := runService(t, s)
	sink, done := streamFrom(t, s, 0)
	evs := record(t, s, n, 0, apitest.InCommunity)
	sink.waitIDs(t, len(evs))
	stop()
	select {
	case err := <-done:
		if !errors.Is(err, ErrStreamClosing) {
			t.Errorf("stream ended with %v, want ErrStreamClosing", err)
		}
	case <-time.After(20 * time.Second): // a bound, not a speed check
		t.Fatal("the stream outlived Run by 20 s")
	}
	if _, ok := s.Hub().Subscribe(); ok {
		t.Error("a stream subscribed after Run returned")
	}
}

// TestStreamGapInHub: when the hub brings an event that does not follow
// the last one a stream sent (Run read past events the store no longer
// keeps), the stream asks the store and says what is gone with a gap
// event before it sends the event, instead of skipping silently.
func TestStreamGapInHub(t *testing.T) {
	const keep = 2
	s, n := newTestServiceKeeping(t, Options{}, keep)
	first := record(t, s, n, 0, apitest.InCommunity)
	if len(first) > keep {
		t.Fatalf("%d first events, want no more than the store keeps (%d)", len(first), keep)
	}
	after := first[len(first)-1].ID
	sink, _ := streamFrom(t, s, 0)
	sink.waitIDs(t, len(first)) // the replay is over: the rest comes through the hub
	more := record(t, s, n, 10, apitest.InCommunityB, apitest.InCommunity, apitest.InCommunityB)
	if len(more) <= keep {
		t.Fatalf("%d more events, want more than the store keeps (%d)", len(more), keep)
	}
	last := more[len(more)-1].ID
	if _, err := s.publishAfter(t.Context(), after); err != nil { // what the store still has
		t.Fatal(err)
	}
	ids := sink.waitIDs(t, len(first)+keep)
	wantIDs(t, ids[len(first):], last-keep+1, last)
	var want []string
	for _, e := range first {
		want = append(want, strconv.FormatInt(e.ID, 10))
	}
	want = append(want, "gap")
	for id := last - keep + 1; id <= last; id++ {
		want = append(want, strconv.FormatInt(id, 10))
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if got := strings.Join(sink.sent, ","); got != strings.Join(want, ",") {
		t.Errorf("stream sent %s, want %s", got, strings.Join(want, ","))
	}
}

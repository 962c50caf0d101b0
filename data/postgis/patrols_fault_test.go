package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

func smallRules(t *testing.T) *patrol.Rules {
	t.Helper()
	ix, err := geo.NewIndex(storetest.Small())
	if err != nil {
		t.Fatal(err)
	}
	return patrol.NewRules(ix, patrol.Options{SilentAfter: time.Hour})
}

// pingKey identifies a stored ping.
type pingKey struct {
	officer string
	at      int64 // unix microseconds
}

// TestPingsSurviveDatabaseLoss cuts the database off in the middle of a
// steady stream of ping batches and brings it back. Writers behave like
// devices: a batch that fails is sent again with the same key until it is
// acknowledged. Afterwards the stored pings are exactly the acknowledged
// ones: none lost, none stored twice.
func TestPingsSurviveDatabaseLoss(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	st := postgistest.MustOpenURL(t, u.String())
	p := postgis.NewPatrols(st, postgis.PatrolOptions{CommitTimeout: 2 * time.Second})
	t.Cleanup(func() { p.Close() })
	rules := smallRules(t)
	ds := storetest.Small()
	officers := []string{"m-P0-0", "m-P0-1", "m-P1-0", "m-P1-1"}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)

	const writers, batches, perBatch = 6, 40, 25
	var mu sync.Mutex
	acked := map[pingKey]int{}
	var failures, replays atomic.Int64
	var ackedBatches atomic.Int64
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				pings := make([]geo.Ping, perBatch)
				for i := range pings {
					n := (w*batches+b)*perBatch + i
					o := officers[n%len(officers)]
					g := ds.Grids[(n/7)%len(ds.Grids)]
					pings[i] = geo.Ping{OfficerID: o, At: base.Add(time.Duration(n) * time.Millisecond), Location: g.Geometry.Bound().Center(), SpeedMPS: 1, HeadingDeg: 0}
				}
				patrol.Attribute(rules.Index(), pings)
				key := fmt.Sprintf("w%d-b%d", w, b)
				for attempt := 0; ; attempt++ {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					res, err := p.RecordPings(ctx, data.PingBatch{Key: key, Pings: pings, Rules: rules})
					cancel()
					if err == nil && res.Replayed {
						replays.Add(1)
					}
					if err == nil {
						mu.Lock()
						for _, pg := range pings {
							acked[pingKey{pg.OfficerID, pg.At.UnixMicro()}]++
						}
						mu.Unlock()
						ackedBatches.Add(1)
						break
					}
					if !errors.Is(err, data.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("batch %s: %v (want data.ErrUnavailable while the database is away)", key, err)
						return
					}
					failures.Add(1)
					if time.Now().After(deadline) {
						t.Errorf("batch %s still failing at the deadline: %v", key, err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	// Cut once a third of the batches are acknowledged, for a second.
	for ackedBatches.Load() < writers*batches/3 {
		time.Sleep(5 * time.Millisecond)
	}
	proxy.Cut()
	time.Sleep(time.Second)
	proxy.Restore(proxy.Addr())
	wg.Wait()
	if t.Failed() {
		return
	}
	if failures.Load() == 0 {
		t.Fatal("no write failed: the cut did not happen during ingestion")
	}
	// A replay is a batch committed although its sender heard an error
	// (the connection died during COMMIT): the key kept it from being
	// stored twice.
	t.Logf("%d batches acknowledged, %d failed attempts while the database was away, %d acknowledged as replays", ackedBatches.Load(), failures.Load(), replays.Load())

	conn := sqlConn(t, direct)
	rows, err := conn.Query(context.Background(), "select officer_id, at from patrol_pings")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[pingKey]int{}
	for rows.Next() {
		var o string
		var at time.Time
		if err := rows.Scan(&o, &at); err != nil {
			t.Fatal(err)
		}
		stored[pingKey{o, at.UnixMicro()}]++
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(acked) != writers*batches*perBatch {
		t.Fatalf("%d pings acknowledged, want %d", len(acked), writers*batches*perBatch)
	}
	lost, doubled, extra := 0, 0, 0
	for k := range acked {
		switch n := stored[k]; {
		case n == 0:
			lost++
		case n > 1:
			doubled++
		}
	}
	for k := range stored {
		if acked[k] == 0 {
			extra++
		}
	}
	if lost+doubled+extra > 0 || len(stored) != len(acked) {
		t.Errorf("stored %d pings, acknowledged %d: %d lost, %d stored twice, %d never acknowledged", len(stored), len(acked), lost, doubled, extra)
	}
	// The officers' states end at their latest pings.
	states, _, err := p.States(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]int64{}
	for k := range acked {
		latest[k.officer] = max(latest[k.officer], k.at)
	}
	for _, s := range states {
		if s.Last.At.UnixMicro() != latest[s.Officer] {
			t.Errorf("state of %s at %v, latest ping at %v", s.Officer, s.Last.At, time.UnixMicro(latest[s.Officer]))
		}
	}
}

// TestPatrolsAcrossServers runs two servers' stores on one schema: what
// one commits reaches the other's watcher, states and events, and writes
// for the same officers through both at once give no duplicate events.
func TestPatrolsAcrossServers(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	a := postgis.NewPatrols(postgistest.MustOpenURL(t, dbURL), postgis.PatrolOptions{})
	b := postgis.NewPatrols(postgistest.MustOpenURL(t, dbURL), postgis.PatrolOptions{})
	t.Cleanup(func() { a.Close(); b.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chB, err := b.WatchPatrols(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules := smallRules(t)
	ds := storetest.Small()
	at := func(sec int) time.Time {
		return time.Now().Add(-time.Hour).Truncate(time.Second).Add(time.Duration(sec) * time.Second)
	}
	center := func(id string) orb.Point { return grid(t, ds, id).Geometry.Bound().Center() }
	ping := func(o string, sec int, gridID string) geo.Ping {
		p := geo.Ping{OfficerID: o, At: at(sec), Location: center(gridID)}
		patrol.Attribute(rules.Index(), []geo.Ping{p})
		p.GridID = patrol.GridAt(rules.Index(), p.Location)
		return p
	}
	_, cur, err := b.States(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.RecordPings(ctx, data.PingBatch{Pings: []geo.Ping{ping("m-P0-0", 0, "C0-0")}, Rules: rules})
	if err != nil || len(res.Events) != 1 {
		t.Fatalf("RecordPings on a: %+v, %v", res, err)
	}
	storetest.WaitSignal(t, chB, acrossServers)
	states, _, err := b.States(ctx, cur)
	if err != nil || len(states) != 1 || states[0].Version != res.States[0].Version {
		t.Fatalf("b sees states %+v, %v; want a's", states, err)
	}
	evs, err := b.EventsAfter(ctx, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].ID != res.Events[0].ID {
		t.Fatalf("b sees events %+v, %v", evs, err)
	}

	// Both servers move the same officers at once.
	cells := []string{"C0-0", "C1-0", "C1-1", "C0-1", "C2-2"}
	var wg sync.WaitGroup
	for si, srv := range []*postgis.Patrols{a, b} {
		wg.Go(func() {
			for i := range 30 {
				sec := 1 + i*2 + si
				batch := []geo.Ping{ping("m-P0-0", sec, cells[(i+si)%len(cells)]), ping("m-P1-1", sec, cells[(i*3+si)%len(cells)])}
				if _, err := srv.RecordPings(ctx, data.PingBatch{Pings: batch, Rules: rules}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	evs, err = a.EventsAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]string{}
	for i, e := range evs {
		if i > 0 && e.ID <= evs[i-1].ID {
			t.Fatalf("event ids not increasing")
		}
		switch e.Kind {
		case patrol.GridEnter:
			if in[e.Officer] != "" {
				t.Fatalf("event %d: %s enters %s while in %s (a duplicate)", e.ID, e.Officer, e.GridID, in[e.Officer])
			}
			in[e.Officer] = e.GridID
		case patrol.GridLeave:
			if in[e.Officer] != e.GridID {
				t.Fatalf("event %d: %s leaves %s while in %q", e.ID, e.Officer, e.GridID, in[e.Officer])
			}
			in[e.Officer] = ""
		}
	}
	states, _, _ = a.States(ctx, 0)
	for _, s := range states {
		if s.Last.GridID != in[s.Officer] || !s.Last.At.Equal(at(60)) && !s.Last.At.Equal(at(59)) {
			t.Errorf("state %s: %s at %v; events leave it in %s", s.Officer, s.Last.GridID, s.Last.At, in[s.Officer])
		}
	}
}

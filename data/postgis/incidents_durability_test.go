package postgis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jingge/api"
	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// durableBatch is one POST of the ingestion test: its key, body and the
// summaries that identify its incidents, and what the server answered.
type durableBatch struct {
	key       string
	body      string
	summaries []string
	status    int
	ids       []string
}

// TestIncidentIngestionSurvivesLosingTheDatabase posts batches of
// incidents through the HTTP API from several clients while the database
// is cut off and comes back. Every acknowledged incident must be stored
// exactly once; an incident not acknowledged may be stored only if its
// request failed after its commit (its answer lost), and sending every
// unacknowledged batch again under its idempotency key must leave the
// stored incidents exactly the acknowledged ones.
func TestIncidentIngestionSurvivesLosingTheDatabase(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	q.Set("pool_max_conns", "8")
	u.RawQuery = q.Encode()
	st := postgistest.MustOpenURL(t, u.String())
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(snap)
	if err != nil {
		t.Fatal(err)
	}
	live := new(geo.Live)
	live.Store(ix)
	srv := httptest.NewServer(api.New(api.Config{Index: live, Incidents: st, GridHistory: st, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()
	client := srv.Client()

	post := func(b *durableBatch) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/incidents", strings.NewReader(b.body))
		req.Header.Set("Idempotency-Key", b.key)
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("POST %s: %v", b.key, err)
			return
		}
		defer resp.Body.Close()
		b.status, b.ids = resp.StatusCode, nil
		if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
			var out api.CreatedIncidents
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Errorf("POST %s: %v", b.key, err)
			}
			for _, x := range out.Incidents {
				b.ids = append(b.ids, x.ID)
			}
		} else if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("POST %s: status %d (Retry-After %q); a store that is down must give 503 with Retry-After", b.key, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}

	const workers, perBatch = 4, 40
	bound := storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound()
	var (
		mu       sync.Mutex
		batches  []*durableBatch
		acked    atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		duringUp atomic.Int64 // batches acknowledged after the database came back
		restored atomic.Bool
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				b := &durableBatch{key: fmt.Sprintf("w%d-b%d", w, n)}
				incs := storetest.RandomIncidents(uint64(w*100000+n), perBatch, bound, time.Now())
				var items []string
				for k, x := range incs {
					s := fmt.Sprintf("%s-i%d", b.key, k)
					b.summaries = append(b.summaries, s)
					items = append(items, fmt.Sprintf(`{"occurred_at":%q,"category":%q,"severity":%d,"location":[%v,%v],"summary":%q}`,
						x.OccurredAt.Format(time.RFC3339), x.Category, x.Severity, x.Location[0], x.Location[1], s))
				}
				b.body = `{"incidents":[` + strings.Join(items, ",") + `]}`
				post(b)
				mu.Lock()
				batches = append(batches, b)
				mu.Unlock()
				if b.status == http.StatusCreated {
					acked.Add(1)
					if restored.Load() {
						duringUp.Add(1)
					}
				}
			}
		}()
	}
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("acknowledged batches before the cut", func() bool { return acked.Load() >= 20 })
	proxy.Cut()
	time.Sleep(1500 * time.Millisecond)
	proxy.Restore(proxy.Addr())
	restored.Store(true)
	waitFor("acknowledged batches after the database came back", func() bool { return duringUp.Load() >= 20 })
	close(stop)
	wg.Wait()

	stored := storedSummaries(t, direct)
	ackedSummaries, failed := map[string]string{}, 0
	unacked := map[string]bool{}
	for _, b := range batches {
		if b.status == http.StatusCreated {
			if len(b.ids) != len(b.summaries) {
				t.Fatalf("batch %s: %d ids for %d incidents", b.key, len(b.ids), len(b.summaries))
			}
			for k, s := range b.summaries {
				ackedSummaries[s] = b.ids[k]
			}
			continue
		}
		failed++
		for _, s := range b.summaries {
			unacked[s] = true
		}
	}
	if failed == 0 {
		t.Fatal("no request failed while the database was cut off; the test tested nothing")
	}
	for s, id := range ackedSummaries {
		got, ok := stored[s]
		if !ok {
			t.Fatalf("acknowledged incident %s (id %s) was lost", s, id)
		}
		if len(got) != 1 || got[0] != id {
			t.Fatalf("acknowledged incident %s (id %s) is stored as %v", s, id, got)
		}
	}
	extra := 0
	for s, ids := range stored {
		if _, ok := ackedSummaries[s]; ok {
			continue
		}
		if !unacked[s] || len(ids) != 1 {
			t.Fatalf("incident %s stored as %v was never sent or is stored twice", s, ids)
		}
		extra++ // committed, but its answer was lost with the connection
	}
	t.Logf("%d batches: %d acknowledged (%d incidents), %d failed with 503; %d unacknowledged incidents were committed anyway",
		len(batches), len(batches)-failed, len(ackedSummaries), failed, extra)

	// Clients send what was not acknowledged again, under the same keys.
	for _, b := range batches {
		if b.status == http.StatusCreated {
			continue
		}
		post(b)
		if b.status != http.StatusCreated && b.status != http.StatusOK {
			t.Fatalf("retrying %s after the database came back: status %d", b.key, b.status)
		}
		for k, s := range b.summaries {
			ackedSummaries[s] = b.ids[k]
		}
	}
	stored = storedSummaries(t, direct)
	if len(stored) != len(ackedSummaries) {
		t.Fatalf("%d incidents stored, %d acknowledged", len(stored), len(ackedSummaries))
	}
	for s, id := range ackedSummaries {
		if got := stored[s]; len(got) != 1 || got[0] != id {
			t.Fatalf("incident %s acknowledged as %s is stored as %v", s, id, got)
		}
	}
}

// storedSummaries reads every stored incident's summary and id straight
// from the database.
func storedSummaries(t *testing.T, dbURL string) map[string][]string {
	t.Helper()
	rows, err := sqlConn(t, dbURL).Query(context.Background(), "select summary, id::text from incidents")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var s, id string
		if err := rows.Scan(&s, &id); err != nil {
			t.Fatal(err)
		}
		out[s] = append(out[s], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// TestServePingsSurviveDatabaseLoss runs `jingge serve --db` and cuts the
// database off while devices post pings, as a real outage would: the API
// answers 503 with Retry-After meanwhile, devices send the same batch
// again with its Idempotency-Key until it is acknowledged, and afterwards
// the database holds exactly the acknowledged pings.
func TestServePingsSurviveDatabaseLoss(t *testing.T) {
	direct := postgistest.NewSchema(t)
	ctx := context.Background()
	st, err := openStore(ctx, direct, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.(data.Importer).Import(ctx, storetest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	pg := st.(*postgis.Store)
	if err := pg.CreateUser(ctx, data.User{Name: "devices", Role: data.RoleAdmin, PasswordHash: "-"}); err != nil {
		t.Fatal(err)
	}
	token, hash, id := data.NewSecret(data.KindToken)
	if err := pg.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "devices", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", u.String(), "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, stdout, stderr, openStore)
	})

	officers := []string{"m-P0-0", "m-P0-1", "m-P1-0", "m-P1-1"}
	const devices, batches, perBatch = 4, 25, 20
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	client := &http.Client{Timeout: 30 * time.Second}
	var acked, unavailable, noRetryAfter atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second)
	for d := range devices {
		wg.Go(func() {
			o := officers[d]
			for b := range batches {
				var body bytes.Buffer
				body.WriteString(`{"pings":[`)
				for i := range perBatch {
					if i > 0 {
						body.WriteByte(',')
					}
					at := t0.Add(time.Duration(b*perBatch+i) * time.Second)
					fmt.Fprintf(&body, `{"officer":%q,"at":%q,"lon":%v,"lat":%v}`, o, at.Format(time.RFC3339), 109.105+float64(d%2)*0.02, 33.904+float64(d/2)*0.016)
				}
				body.WriteString(`]}`)
				key := fmt.Sprintf("device-%d-batch-%d", d, b)
				for {
					req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/patrols/pings", bytes.NewReader(body.Bytes()))
					req.Header.Set("Idempotency-Key", key)
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							acked.Add(perBatch)
							break
						}
						if resp.StatusCode != http.StatusServiceUnavailable {
							t.Errorf("batch %s: status %d", key, resp.StatusCode)
							return
						}
						unavailable.Add(1)
						if resp.Header.Get("Retry-After") == "" {
							noRetryAfter.Add(1)
						}
					}
					if time.Now().After(deadline) {
						t.Errorf("batch %s not acknowledged by the deadline", key)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	for acked.Load() < devices*batches*perBatch/3 {
		time.Sleep(5 * time.Millisecond)
	}
	proxy.Cut()
	time.Sleep(1500 * time.Millisecond)
	proxy.Restore(proxy.Addr())
	wg.Wait()
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if t.Failed() {
		return
	}
	if unavailable.Load() == 0 || noRetryAfter.Load() > 0 {
		t.Fatalf("%d answers 503 during the outage, %d of them without Retry-After; want some, all with it", unavailable.Load(), noRetryAfter.Load())
	}
	after, err := openStore(ctx, direct, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	var stored, distinct int64
	if err := after.(*postgis.Store).Pool().QueryRow(ctx, "select count(*), count(distinct (officer_id, at)) from patrol_pings").Scan(&stored, &distinct); err != nil {
		t.Fatal(err)
	}
	if stored != acked.Load() || distinct != stored {
		t.Errorf("acknowledged %d pings; the database holds %d (%d distinct)", acked.Load(), stored, distinct)
	}
	t.Logf("%d pings acknowledged and stored; %d answers 503 while the database was away", acked.Load(), unavailable.Load())
}

// smallDatabase returns a new schema holding storetest.Small() and an
// administrator's API token, for tests that run servers against it.
func smallDatabase(t *testing.T) (dbURL string, ds *geo.Dataset, token string) {
	t.Helper()
	dbURL = postgistest.NewSchema(t)
	ctx := context.Background()
	st, err := openStore(ctx, dbURL, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds = storetest.Small()
	if _, err := st.(data.Importer).Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	pg := st.(*postgis.Store)
	if err := pg.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin, PasswordHash: "-"}); err != nil {
		t.Fatal(err)
	}
	token, hash, id := data.NewSecret(data.KindToken)
	if err := pg.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "ops", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	return dbURL, ds, token
}

// TestServeReplicasShareEvents runs two servers on one database: pings
// posted to one reach the other's map, and both servers' event streams
// carry every event once, in the same order.
func TestServeReplicasShareEvents(t *testing.T) {
	dbURL, ds, token := smallDatabase(t)
	start := func() (string, func() error) {
		base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
			return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL, "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, stdout, stderr, openStore)
		})
		return base, stop
	}
	a, stopA := start()
	b, stopB := start()
	do := func(method, url, body string, header ...string) *http.Response {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	streams := map[string]*bufio.Scanner{}
	for name, base := range map[string]string{"a": a, "b": b} {
		resp := do(http.MethodGet, base+"/api/v1/events", "", "Accept", "text/event-stream")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream on %s: %d", name, resp.StatusCode)
		}
		t.Cleanup(func() { resp.Body.Close() })
		streams[name] = bufio.NewScanner(resp.Body)
	}
	// Two officers cross between cells of Small(); every ping moves them.
	cells := []string{"C0-0", "C1-0", "C1-1", "C2-2"}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	var total int
	for i := range 10 {
		var pings []string
		for k, o := range []string{"m-P0-0", "m-P1-1"} {
			c := smallGrid(ds, cells[(i+k)%len(cells)]).Geometry.Bound().Center()
			pings = append(pings, fmt.Sprintf(`{"officer":%q,"at":%q,"lon":%v,"lat":%v}`, o, t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), c[0], c[1]))
		}
		resp := do(http.MethodPost, a+"/api/v1/patrols/pings", `{"pings":[`+strings.Join(pings, ",")+`]}`)
		var pr struct{ Events []json.RawMessage }
		if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST pings to a: %d %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		total += len(pr.Events)
	}
	read := func(name string) []string {
		var ids []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for len(ids) < total && streams[name].Scan() {
				if line := streams[name].Text(); strings.HasPrefix(line, "id: ") {
					ids = append(ids, line[4:])
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("stream on %s: %d of %d events within 30 s", name, len(ids), total)
		}
		return ids
	}
	idsA, idsB := read("a"), read("b")
	if strings.Join(idsA, ",") != strings.Join(idsB, ",") || len(idsA) != total {
		t.Errorf("events on a %v, on b %v; want the same %d", idsA, idsB, total)
	}
	for i := 1; i < len(idsB); i++ {
		x, _ := strconv.Atoi(idsB[i-1])
		y, _ := strconv.Atoi(idsB[i])
		if y <= x {
			t.Fatalf("stream on b out of order or repeated: %v", idsB)
		}
	}
	eventually(t, "b's map shows the officers a took pings from", func() bool {
		resp := do(http.MethodGet, b+"/api/v1/patrols", "")
		defer resp.Body.Close()
		var fc struct{ Features []struct{ ID string } }
		return json.NewDecoder(resp.Body).Decode(&fc) == nil && len(fc.Features) == 2
	})
	if err := stopA(); err != nil {
		t.Error(err)
	}
	if err := stopB(); err != nil {
		t.Error(err)
	}
}

func smallGrid(ds *geo.Dataset, id string) *geo.Grid {
	for i := range ds.Grids {
		if ds.Grids[i].ID == id {
			return &ds.Grids[i]
		}
	}
	panic("no grid " + id)
}

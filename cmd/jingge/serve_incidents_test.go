package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
)

// TestServeReplicasShareIncidentTiles: an incident posted to one replica
// is drawn in the incident tiles of another well before the tiles' own
// one-minute refresh, because the store tells every replica.
func TestServeReplicasShareIncidentTiles(t *testing.T) {
	dbURL, ds, token := smallDatabase(t)
	start := func() string {
		base, _, _ := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
			return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL, "--log-format", "json"}, stdout, stderr, openStore)
		})
		return base
	}
	a, b := start(), start()
	do := func(method, url, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	drawn := func() int {
		t.Helper()
		res := do(http.MethodGet, b+"/tiles/incidents/0/0/0.mvt", "")
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode == http.StatusNoContent {
			return 0
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("incident tile on b: %d %s", res.StatusCode, raw)
		}
		layers, err := mvt.Unmarshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range layers[0].Features {
			c, _ := f.Properties["count"].(float64)
			n += int(c)
		}
		return n
	}
	if n := drawn(); n != 0 {
		t.Fatalf("%d incidents drawn before any was posted", n)
	}
	c := smallGrid(ds, "C1-1").Geometry.Bound().Center()
	body := fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","location":[%v,%v]}`, time.Now().Add(-time.Hour).Format(time.RFC3339), c[0], c[1])
	res := do(http.MethodPost, a+"/api/v1/incidents", body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
		t.Fatalf("POST incident to a: %d", res.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second) // the tiles would refresh by themselves after a minute
	for drawn() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("replica b does not draw the incident posted to a within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

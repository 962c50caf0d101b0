package postgis_test

import (
	"context"
	"testing"
	"time"

	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
)

// TestPrune drops the ping partitions of months before the cutoff, deletes
// older rows of the default partition, old incident batch keys and old
// answer keys, and in a dry run only counts them.
func TestPrune(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	month := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	if _, err := st.EnsurePartitions(ctx, month(2025, 1, 1), month(2025, 4, 1)); err != nil {
		t.Fatal(err)
	}
	conn := sqlConn(t, dbURL)
	for _, at := range []time.Time{month(2024, 6, 3), month(2025, 1, 5), month(2025, 2, 5), month(2025, 3, 5), month(2025, 4, 20)} {
		if _, err := conn.Exec(ctx, "insert into patrol_pings (officer_id, at, location) values ('m1', $1, st_setsrid(st_makepoint(109.3, 34.15), 4326))", at); err != nil {
			t.Fatal(err)
		}
	}
	for key, at := range map[string]time.Time{"old": month(2025, 1, 1), "new": time.Now()} {
		if _, err := conn.Exec(ctx, "insert into incident_batches (key, digest, created_at) values ($1, '\\x00', $2)", key, at); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "insert into answer_keys (scope, key, digest, status, content_type, body, created_at) values ('alice', $1, '\\x00', 200, 'application/json', '{}', $2)", key, at); err != nil {
			t.Fatal(err)
		}
	}
	count := func(sql string) (n int64) {
		t.Helper()
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	opts := postgis.PruneOptions{PingsBefore: month(2025, 3, 1).Truncate(24 * time.Hour), IncidentKeysBefore: month(2025, 6, 1), DryRun: true}
	check := func(got postgis.Pruned) {
		t.Helper()
		var names []string
		for _, p := range got.PingPartitions {
			names = append(names, p.Name)
		}
		if len(names) != 2 || names[0] != "patrol_pings_2025_01" || names[1] != "patrol_pings_2025_02" || got.DefaultPings != 1 || got.IncidentKeys != 1 || got.AnswerKeys != 1 {
			t.Errorf("pruned %v, %d default pings, %d keys, %d answer keys; want January and February, 1, 1 and 1", names, got.DefaultPings, got.IncidentKeys, got.AnswerKeys)
		}
	}
	dry, err := st.Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	check(dry)
	if n := count("select count(*) from patrol_pings"); n != 5 {
		t.Fatalf("a dry run removed pings: %d left of 5", n)
	}
	opts.DryRun = false
	done, err := st.Prune(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	check(done)
	if n := count("select count(*) from patrol_pings"); n != 2 {
		t.Errorf("%d pings left, want March's and April's", n)
	}
	if kept := count("select count(*) from incident_batches where key = 'new'"); kept != 1 || count("select count(*) from incident_batches") != 1 {
		t.Errorf("incident keys: want only the new one kept")
	}
	if kept := count("select count(*) from answer_keys where key = 'new'"); kept != 1 || count("select count(*) from answer_keys") != 1 {
		t.Errorf("answer keys: want only the new one kept")
	}
	if n := count("select count(r) from (values (to_regclass('patrol_pings_2025_01')), (to_regclass('patrol_pings_2025_02'))) v(r)"); n != 0 {
		t.Errorf("%d expired partitions still exist", n)
	}
	again, err := st.Prune(ctx, opts)
	if err != nil || len(again.PingPartitions) != 0 || again.DefaultPings != 0 || again.IncidentKeys != 0 || again.AnswerKeys != 0 {
		t.Errorf("a second prune: %+v, %v; want nothing left to remove", again, err)
	}
}

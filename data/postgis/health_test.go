package postgis_test

import (
	"context"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// TestPingAndListenStatus pings the database, and follows the listener
// through a lost connection: not started before the first watch,
// connected and heard once watching, one reconnect counted after its
// backend is terminated, heard again after that; a change noted after an
// edit and after the reconnect; Ping fails once the
// store is closed.
func TestPingAndListenStatus(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if s := st.ListenStatus(); s.Started || s.Connected {
		t.Fatalf("listening before any watch: %+v", s)
	}
	if _, err := st.Import(ctx, storetest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch := watchCh(t, st)
	first := st.ListenStatus()
	if !first.Started || !first.Connected || first.Reconnects != 0 || first.LastHeard.IsZero() || !first.LastChange.IsZero() {
		t.Fatalf("watching: %+v", first)
	}
	g := *grid(t, storetest.Small(), "C0-0")
	g.Population++
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, ch, 10*time.Second)
	edited := st.ListenStatus()
	if edited.LastChange.IsZero() || edited.LastHeard.Before(first.LastHeard) {
		t.Fatalf("after an edit: %+v", edited)
	}
	var killed bool
	err := sqlConn(t, dbURL).QueryRow(ctx, "select coalesce(bool_and(pg_terminate_backend(pid)), false) from pg_stat_activity where application_name = $1",
		"jingge-listen:"+st.Schema()).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminating the listener: %v, %v", killed, err)
	}
	storetest.WaitSignal(t, ch, 10*time.Second) // sent once reconnected
	after := st.ListenStatus()
	if !after.Connected || after.Reconnects != 1 || after.LastHeard.Before(edited.LastHeard) || !after.LastChange.After(edited.LastChange) {
		t.Errorf("after a reconnect: %+v (before %+v)", after, first)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err == nil {
		t.Error("Ping answers after Close")
	}
	if s := st.ListenStatus(); s.Connected {
		t.Errorf("connected after Close: %+v", s)
	}
}

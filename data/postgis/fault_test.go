package postgis_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// TestDatabaseLost cuts the store off its database: reads and writes fail
// with data.ErrUnavailable (the API answers 503 then), a change made
// meanwhile by someone else is not lost to the watcher, and everything
// works again once the database is back.
func TestDatabaseLost(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st := postgistest.MustOpenURL(t, u.String())
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch := watchCh(t, st)

	proxy.Cut()
	g := *grid(t, ds, "C0-0")
	g.Name = "while the database is away"
	ectx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := st.EditGrid(ectx, data.GridEdit{Grid: g}); !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("EditGrid without a database: err = %v, want data.ErrUnavailable", err)
	}
	if _, err := st.Snapshot(ectx); !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("Snapshot without a database: err = %v, want data.ErrUnavailable", err)
	}
	if _, err := sqlConn(t, direct).Exec(ctx, "update stations set phone = '110' where id = 's01'"); err != nil {
		t.Fatal(err)
	}

	proxy.Restore(proxy.Addr())
	storetest.WaitSignal(t, ch, 10*time.Second) // the listener is back and says changes may have been missed
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatalf("Snapshot after the database came back: %v", err)
	}
	if snap.Stations[0].Phone != "110" {
		t.Errorf("the change made meanwhile is not visible: phone %q", snap.Stations[0].Phone)
	}
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatalf("EditGrid after the database came back: %v", err)
	}
	storetest.WaitSignal(t, ch, acrossServers)
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"jingge/data/postgis"
)

// TestServeAuditsConcurrentReads runs the server on PostGIS and sends
// audited lookups from many clients at once: every one answered has its
// row in audit_log, the rows were committed together (fewer
// transactions than rows), and compact lookups, which name nobody, left
// none.
func TestServeAuditsConcurrentReads(t *testing.T) {
	dbURL, _, token := smallDatabase(t)
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL, "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, stdout, stderr, openStore)
	})
	client := &http.Client{Timeout: time.Minute}
	get := func(fields, id string) error {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/lookup?lon=109.105&lat=33.904"+fields, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Request-ID", id)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("lookup %s: status %d", id, resp.StatusCode)
		}
		return nil
	}
	const clients, each = 32, 20
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				if err := get("", fmt.Sprintf("full-%d-%d", c, i)); err != nil {
					t.Error(err)
					return
				}
				if err := get("&fields=ids", fmt.Sprintf("ids-%d-%d", c, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if t.Failed() {
		return
	}
	ctx := context.Background()
	st, err := openStore(ctx, dbURL, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var full, distinct, compact, transactions int64
	err = st.(*postgis.Store).Pool().QueryRow(ctx, `select
		count(*) filter (where request_id like 'full-%'),
		count(distinct request_id) filter (where request_id like 'full-%'),
		count(*) filter (where request_id like 'ids-%'),
		count(distinct xmin::text) filter (where request_id like 'full-%')
		from audit_log where action = 'lookupPoint'`).Scan(&full, &distinct, &compact, &transactions)
	if err != nil {
		t.Fatal(err)
	}
	if full != clients*each || distinct != full || compact != 0 {
		t.Errorf("audit_log holds %d rows (%d distinct) for %d full lookups answered and %d for compact ones (want 0)", full, distinct, clients*each, compact)
	}
	if transactions >= full {
		t.Errorf("%d rows in %d transactions: concurrent entries were not committed together", full, transactions)
	}
	t.Logf("%d audited lookups committed in %d transactions", full, transactions)
}

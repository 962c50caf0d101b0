package postgis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func TestAuthSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunAuth(t, func(t *testing.T) data.AuthStore { return postgistest.MustOpen(t) })
}

// TestAuditLogIsAppendOnly checks the table itself refuses changes, so
// not even a client with the jingge database user's rights can rewrite it.
func TestAuditLogIsAppendOnly(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	if err := st.AppendAudit(ctx, []data.AuditEntry{{At: time.Now(), Actor: "a", Action: "lookupPoint"}}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"update audit_log set actor = 'someone else'",
		"delete from audit_log",
		"truncate audit_log",
	} {
		_, err := st.Pool().Exec(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	got, err := st.QueryAudit(ctx, data.AuditQuery{})
	if err != nil || len(got) != 1 || got[0].Actor != "a" {
		t.Errorf("after the attempts: %+v, %v", got, err)
	}
}

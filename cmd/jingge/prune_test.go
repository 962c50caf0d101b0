package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
)

func TestPruneCommand(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"--db", "postgres://x/y"},
		{"--db", "postgres://x/y", "--keep-pings-days", "-1"},
		{"--db", "postgres://x/y", "--keep-incident-keys-days", "1"},
		{"--keep-pings-days", "30", "--db", ""},
		{"--db", "postgres://x/y", "--keep-pings-days", "30", "extra"},
	} {
		var out, errOut bytes.Buffer
		if err := runPrune(ctx, args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("prune %q: %v, want a usage error", args, err)
		}
	}

	dbURL := postgistest.NewSchema(t)
	var out, errOut bytes.Buffer
	if err := runPrune(ctx, []string{"--db", dbURL, "--keep-pings-days", "400", "--keep-incident-keys-days", "30", "--dry-run"}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "would remove 0 positions") {
		t.Errorf("dry run said %q", out.String())
	}
	out.Reset()
	if err := runPrune(ctx, []string{"--db", dbURL, "--keep-pings-days", "400"}, &out, &errOut); err != nil {
		t.Fatalf("prune: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "removed 0 positions") {
		t.Errorf("prune said %q", out.String())
	}
	st := postgistest.MustOpenURL(t, dbURL)
	got, err := st.QueryAudit(ctx, data.AuditQuery{Action: "prune"})
	if err != nil || len(got) != 1 || !strings.Contains(got[0].Detail, "incident keys before -") {
		t.Errorf("the prune is audited once, dry runs not: %+v, %v", got, err)
	}
}

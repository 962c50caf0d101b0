package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"jingge/api/planning"
)

// TestRosterReportCommand: `jingge roster report --json` over the bundled
// county lists 横岭's police grids under the 司法所 rule and nothing else.
func TestRosterReportCommand(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"roster", "report", "--json"}, &out, &errs); err != nil {
		t.Fatalf("roster report: %v (%s)", err, errs.String())
	}
	var rep planning.RosterReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Breaks) == 0 {
		t.Fatal("no breaks listed; the demo county leaves 横岭's 司法所 post vacant")
	}
	for _, b := range rep.Breaks {
		if b.StationID != "hengling" || b.RuleID != "multi-force-justice" {
			t.Errorf("unexpected break %s", b)
		}
	}
	if err := run(context.Background(), []string{"roster", "list"}, &out, &errs); err == nil {
		t.Error("an unknown subcommand was taken")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jingge/api/planning"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
)

// planStoreFor returns a plan store of the bundled dataset that outlives
// each command, as a PostGIS store does.
func planStoreFor(t *testing.T) *memory.PlanStore {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	return memory.WithPlans(memStore(t, ds))
}

func runPlanWith(t *testing.T, st *memory.PlanStore, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	var err error
	if args[0] == "assessment" {
		err = assessmentCommand(context.Background(), args[1:], &out, &errOut, opener(st))
	} else {
		err = planCommand(context.Background(), args, &out, &errOut, opener(st))
	}
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestPlanCommands(t *testing.T) {
	st := planStoreFor(t)
	out, err := runPlanWith(t, st, "measure")
	if err != nil || !strings.Contains(out, "文姬路派出所 wenjilu") || !strings.Contains(out, "CV ") {
		t.Fatalf("plan measure: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "propose", "--seed", "1", "--note", "命令行", "--json")
	if err != nil {
		t.Fatalf("plan propose: %v\n%s", err, out)
	}
	var doc planning.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.ID != "1" || doc.Note != "命令行" || !strings.HasPrefix(doc.CreatedBy, "cli") {
		t.Fatalf("plan propose --json: %v %+v", err, doc)
	}
	out, err = runPlanWith(t, st, "show", "1")
	if err != nil || !strings.Contains(out, "方案 Plan 1: proposed") || !strings.Contains(out, "警格调整 Police-grid moves") {
		t.Errorf("plan show 1: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "list")
	if err != nil || !strings.Contains(out, "命令行") {
		t.Errorf("plan list: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "compare", "current", "1")
	if err != nil || !strings.Contains(out, "police grids under different stations") {
		t.Errorf("plan compare: %v\n%s", err, out)
	}
	dir := t.TempDir()
	moves := filepath.Join(dir, "moves.csv")
	if _, err := runPlanWith(t, st, "export", "1", "--format", "moves", "-o", moves); err != nil {
		t.Fatalf("plan export moves: %v", err)
	}
	b, _ := os.ReadFile(moves)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 1+len(doc.GridMoves)+len(doc.OfficerMoves) {
		t.Errorf("exported moves: %d rows, %v", len(rows), err)
	}
	out, err = runPlanWith(t, st, "export", "1", "--lang", "en")
	if err != nil || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "Officer and police-grid plan #1") {
		t.Errorf("plan export html: %v\n%.300s", err, out)
	}
	// The proposal leaves moved police grids without their community
	// officer: refused under the default roster rules, then overridden.
	out, err = runPlanWith(t, st, "apply", "1", "--actor", "tester")
	if err == nil || !strings.Contains(err.Error(), "police-grid-officer") {
		t.Fatalf("plan apply under the roster rules: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "apply", "1", "--actor", "tester", "--override-roster")
	if err != nil || !strings.Contains(out, "方案 Plan 1 applied") {
		t.Fatalf("plan apply: %v\n%s", err, out)
	}
	if p, _ := st.Plan(context.Background(), "1"); p.AppliedBy != "tester" {
		t.Errorf("applied by %q, want tester", p.AppliedBy)
	}
	out, err = runPlanWith(t, st, "apply", "1")
	if err == nil || !strings.Contains(err.Error(), "applied once") {
		t.Errorf("applying twice: %v\n%s", err, out)
	}
	var cur planning.PlanCurrent
	out, err = runPlanWith(t, st, "measure", "--json")
	if err != nil || json.Unmarshal([]byte(out), &cur) != nil {
		t.Fatalf("measure --json: %v\n%.300s", err, out)
	}
	if cut := 1 - cur.Measures.Balance.CV/doc.Before.Balance.CV; cut < 0.4 {
		t.Errorf("after applying, CV %.3f -> %.3f (%.0f%% less); want 40%% or more", doc.Before.Balance.CV, cur.Measures.Balance.CV, 100*cut)
	}
}

func TestPlanCommandUsage(t *testing.T) {
	st := planStoreFor(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"show"},
		{"show", "1", "2"},
		{"export", "current", "--format", "pdf"},
		{"export", "current", "--lang", "fr"},
		{"measure", "--plan-config", "/nonexistent/config.json"},
		{"assessment", "show"},
		{"assessment", "show", "March"},
		{"assessment", "dance"},
	} {
		if _, err := runPlanWith(t, st, args...); !errors.Is(err, errUsage) {
			t.Errorf("jingge plan %q: %v, want a usage error", args, err)
		}
	}
	if _, err := runPlanWith(t, st, "show", "99"); err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "no plan") {
		t.Errorf("plan show 99: %v", err)
	}
	out, err := runPlanWith(t, st, "help")
	if err != nil || !strings.Contains(out, "propose") {
		t.Errorf("plan help: %v\n%s", err, out)
	}
}

func TestAssessmentCommands(t *testing.T) {
	st := planStoreFor(t)
	file := filepath.Join(t.TempDir(), "may.csv")
	csvText := "station,month,familiarity_numerator,familiarity_denominator\nwenjilu,2026-05,9,10\n蓝田县城关派出所,2026-05,1,2\n"
	if err := os.WriteFile(file, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := runPlanWith(t, st, "assessment", "import", file)
	if err == nil || !strings.Contains(err.Error(), `no station "蓝田县城关派出所"`) {
		t.Fatalf("importing an unknown station name: %v", err)
	}
	csvText = strings.Replace(csvText, "蓝田县城关派出所", "城关派出所", 1)
	if err := os.WriteFile(file, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runPlanWith(t, st, "assessment", "import", file)
	if err != nil || !strings.Contains(out, "saved 2 entries for 2026-05") {
		t.Fatalf("assessment import: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "assessment", "show", "2026-05")
	if err != nil || !strings.Contains(out, "2026-05 考评") || !strings.Contains(out, "文姬路派出所") || !strings.Contains(out, "90 填") ||
		!strings.Contains(out, "尚待交叉考核 still to be scored by another station: ") {
		t.Fatalf("assessment show: %v\n%s", err, out)
	}
	out, err = runPlanWith(t, st, "assessment", "show", "2026-04", "2026-05", "--json")
	var res planning.AssessmentResult
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || len(res.Months) != 2 || len(res.Trends) != 15 {
		t.Fatalf("assessment show --json: %v, %d months", err, len(res.Months))
	}
}

// TestPlanOnPostGIS proposes, applies and measures on the PostGIS store
// with the command line, each command a process of its own as in use: the
// plan outlives the command that made it, and applying it is seen by the
// next command.
func TestPlanOnPostGIS(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	if _, stderr, err := jingge(t, "import", "--lantian", "--db", dbURL); err != nil {
		t.Fatalf("import --lantian: %v\n%s", err, stderr)
	}
	stdout, stderr, err := jingge(t, "plan", "propose", "--seed", "1", "--json", "--db", dbURL)
	if err != nil {
		t.Fatalf("plan propose: %v\n%s", err, stderr)
	}
	var doc planning.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.ID != "1" || len(doc.GridMoves) == 0 {
		t.Fatalf("plan propose --json: %v %+v", err, doc.ID)
	}
	if _, _, err = jingge(t, "plan", "apply", "1", "--db", dbURL); err == nil || !strings.Contains(err.Error(), "police-grid-officer") {
		t.Fatalf("plan apply under the roster rules: %v, want a refusal naming police-grid-officer", err)
	}
	if stdout, stderr, err = jingge(t, "plan", "apply", "1", "--override-roster", "--db", dbURL); err != nil || !strings.Contains(stdout, "applied") {
		t.Fatalf("plan apply: %v\n%s%s", err, stdout, stderr)
	}
	// The override is the audit reason of the grids the plan moved.
	st, err := postgis.Open(context.Background(), dbURL, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var overridden int
	err = st.Pool().QueryRow(context.Background(), "select count(*) from grid_audit where reason like 'plan 1; roster rules overridden: %police-grid-officer%'").Scan(&overridden)
	st.Close()
	if err != nil || overridden == 0 {
		t.Errorf("grid audit rows naming the roster override: %d, %v", overridden, err)
	}
	stdout, stderr, err = jingge(t, "plan", "measure", "--json", "--db", dbURL)
	var cur planning.PlanCurrent
	if err != nil || json.Unmarshal([]byte(stdout), &cur) != nil {
		t.Fatalf("plan measure: %v\n%s", err, stderr)
	}
	for id, st := range doc.Deployment.Grids {
		if cur.Deployment.Grids[id] != st {
			t.Errorf("grid %s under %s after applying, the plan says %s", id, cur.Deployment.Grids[id], st)
		}
	}
	for st, n := range doc.Deployment.Officers {
		if cur.Deployment.Officers[st] != n {
			t.Errorf("station %s has %d officers after applying, the plan says %d", st, cur.Deployment.Officers[st], n)
		}
	}
	if !cur.Measures.Contiguous {
		t.Error("a station is in pieces after applying")
	}
	if _, _, err := jingge(t, "plan", "apply", "1", "--db", dbURL); err == nil || !strings.Contains(err.Error(), "applied once") {
		t.Errorf("applying again: %v", err)
	}
	stdout, _, err = jingge(t, "plan", "show", "1", "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "方案 Plan 1: applied") {
		t.Errorf("plan show after applying: %v\n%s", err, stdout)
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// serveDataDir runs `jingge serve` on the embedded store of dir, as a
// user without a database runs it.
func serveDataDir(t *testing.T, dir string) (base string, logs *syncBuffer, stop func() error) {
	return startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--log-format", "json"}, stdout, stderr, nil)
	})
}

func put(t *testing.T, c *http.Client, u, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT %s: %d %s", u, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// A restart of the embedded server keeps what users did: a grid edit (the
// population a user set does not come back as the demo's), the audit
// entry of it, and the session of the user who made it. The demo data is
// written at the first start only.
func TestServeKeepsWhatUsersDidAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	var grid geo.Grid
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel && g.Population != 4242 {
			grid = g
			break
		}
	}
	base, logs, stop := serveDataDir(t, dir)
	editedAt := time.Now()
	put(t, testClient, base+"/api/v1/grids/"+grid.ID, `{"type":"Feature","properties":{"population":4242},"reason":"census"}`)
	u, _ := url.Parse(base)
	session := testClient.Jar.Cookies(u)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "holds a year of synthetic incidents") {
		t.Fatalf("the first start wrote no demo data: %s", logs.String())
	}

	base, logs, stop = serveDataDir(t, dir)
	defer stop()
	if strings.Contains(logs.String(), "holds a year of synthetic incidents") {
		t.Error("the second start wrote the demo data again")
	}
	var feature struct {
		Properties struct {
			Population int `json:"population"`
		} `json:"properties"`
	}
	if code := getJSON(t, base+"/api/v1/grids/"+grid.ID, &feature); code != http.StatusOK || feature.Properties.Population != 4242 {
		t.Errorf("after a restart grid %s has population %d (status %d), want 4242", grid.ID, feature.Properties.Population, code)
	}
	// The demo year's disputes and tasks survive the restart and fill last
	// month's summaries for every station.
	lastMonth := time.Now().In(mustChinaZone(t)).AddDate(0, 0, -time.Now().In(mustChinaZone(t)).Day()).Format("2006-01")
	for _, kind := range []string{"disputes", "tasks"} {
		var sum struct {
			Rows []struct {
				Key     string `json:"key"`
				Settled int    `json:"settled"`
				Due     int    `json:"due"`
			} `json:"rows"`
		}
		if code := getJSON(t, base+"/api/v1/"+kind+"/summary?month="+lastMonth, &sum); code != http.StatusOK || len(sum.Rows) != len(ds.Stations) {
			t.Errorf("the %s summary of %s: status %d, %d rows, want one per station (%d)", kind, lastMonth, code, len(sum.Rows), len(ds.Stations))
		}
		for _, r := range sum.Rows {
			if r.Settled+r.Due == 0 {
				t.Errorf("the %s summary of %s: station %s has nothing", kind, lastMonth, r.Key)
			}
		}
	}
	var audit struct {
		Entries []struct {
			Action string `json:"action"`
		} `json:"entries"`
	}
	getJSON(t, base+"/api/v1/audit?action=editGrid", &audit)
	if len(audit.Entries) == 0 {
		t.Error("after a restart the audit log has no entry of the grid edit")
	}
	// The session of the first run still signs in.
	jar, _ := cookiejar.New(nil)
	u, _ = url.Parse(base)
	jar.SetCookies(u, session)
	old := &http.Client{Jar: jar}
	resp, err := old.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the session of the first run: GET /api/v1/me = %d, want 200", resp.StatusCode)
	}

	// export reads the directory the server is using: today's grids hold
	// the edit, the grids of before the edit do not.
	for _, c := range []struct {
		args []string
		want int
	}{{nil, 4242}, {[]string{"--as-of", editedAt.Format(time.RFC3339Nano)}, grid.Population}} {
		var out bytes.Buffer
		if err := exportCommand(context.Background(), append([]string{"--data-dir", dir}, c.args...), &out, io.Discard, openStore); err != nil {
			t.Fatalf("export --data-dir %v: %v", c.args, err)
		}
		exported, err := datafile.Read(&out)
		if err != nil {
			t.Fatal(err)
		}
		got := -1
		for _, g := range exported.Grids {
			if g.ID == grid.ID {
				got = g.Population
			}
		}
		if got != c.want {
			t.Errorf("export --data-dir %v: grid %s has population %d, want %d", c.args, grid.ID, got, c.want)
		}
	}

	// A second server on the same directory is refused, and says why.
	var stderr bytes.Buffer
	err = serveCommand(context.Background(), []string{"--addr", "127.0.0.1:0", "--data-dir", dir}, io.Discard, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), dir) {
		t.Errorf("a second server on the directory: %v", err)
	}
}

// Users and tokens made before the auth file moved into the data
// directory keep working: the file at the old place is copied in.
func TestLegacyAuthFileIsAdopted(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("JINGGE_AUTH_FILE", "")
	old, err := memory.OpenAuthFile(filepath.Join(cfg, "jingge", "auth.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := old.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	d, err := openDataDir(ctx, dir, "", quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Auth.User(ctx, "ops"); err != nil {
		t.Errorf("a user of the old auth file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "auth.json")); err != nil {
		t.Errorf("the auth file was not copied into the data directory: %v", err)
	}
}

// A bureau moving to PostGIS: `jingge import --data-dir DIR --db URL`
// copies the demo year, what users did and the history into a new
// database, refuses one in use, and copies a directory a server uses as
// a backup would.
func TestImportDataDirIntoPostGIS(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	d, err := openDataDir(ctx, dir, "", quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := d.Snapshot(ctx)
	var g geo.Grid
	for _, x := range ds.Grids {
		if x.Level == geo.CommunityLevel {
			g = x
			break
		}
	}
	g.Population = 4242
	if _, err := d.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	page, _ := d.QueryIncidents(ctx, data.IncidentFilter{}, data.Page{Limit: 1})
	newest := page.Incidents[0]
	settled := false
	disputes, _ := d.QueryDisputes(ctx, data.DisputeFilter{Open: &settled}, data.Page{Limit: 1})
	tasks, _ := d.QueryTasks(ctx, data.TaskFilter{}, data.Page{Limit: 1})
	if len(disputes.Disputes) != 1 || len(tasks.Tasks) != 1 {
		t.Fatalf("the demo year holds %d settled disputes and %d tasks on a first page, want some", len(disputes.Disputes), len(tasks.Tasks))
	}
	tagged, err := d.AddDispute(ctx, data.DisputeWrite{Dispute: disputes.Disputes[0], Key: "k-move", Scope: "u1"})
	if err != nil {
		t.Fatal(err)
	}

	// While a server holds the directory, a consistent copy of it is
	// imported, and the message says what that leaves out.
	var out bytes.Buffer
	if err := importCommand(ctx, []string{"--data-dir", dir, "--db", dbURL}, &out, io.Discard, openStore); err != nil {
		t.Fatalf("import --data-dir of a directory in use: %v", err)
	}
	if !strings.Contains(out.String(), "a server is using") || !strings.Contains(out.String(), "not in PostGIS") {
		t.Errorf("the import of a directory in use said: %s", out.String())
	}
	d.Close()
	st, err := openStore(ctx, dbURL, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hist, err := st.(data.History).GridHistory(ctx, g.ID)
	if err != nil || len(hist) != 2 || hist[1].Grid.Population != 4242 {
		t.Fatalf("grid %s in PostGIS: %+v, %v; want two versions, the last with population 4242", g.ID, hist, err)
	}
	got, err := st.(data.IncidentStore).Incident(ctx, newest.ID)
	if err != nil || got.Summary != newest.Summary {
		t.Errorf("incident %s in PostGIS: %+v, %v", newest.ID, got, err)
	}
	if !strings.Contains(out.String(), "incidents") || !strings.Contains(out.String(), "disputes") {
		t.Errorf("the import said: %s", out.String())
	}
	ps := st.(data.DisputeStore)
	if got, err := ps.Dispute(ctx, disputes.Disputes[0].ID); err != nil || got != disputes.Disputes[0] {
		t.Errorf("dispute %s in PostGIS: %+v, %v; want %+v", disputes.Disputes[0].ID, got, err, disputes.Disputes[0])
	}
	if again, err := ps.AddDispute(ctx, data.DisputeWrite{Dispute: disputes.Disputes[0], Key: "k-move", Scope: "u1"}); err != nil || !again.Replayed || again.Dispute.ID != tagged.Dispute.ID {
		t.Errorf("a retry across the move: %+v, %v; want a replay of %s", again, err, tagged.Dispute.ID)
	}
	if got, err := st.(data.TaskStore).Task(ctx, tasks.Tasks[0].ID); err != nil || got != tasks.Tasks[0] {
		t.Errorf("task %s in PostGIS: %+v, %v; want %+v", tasks.Tasks[0].ID, got, err, tasks.Tasks[0])
	}
	if err := importCommand(ctx, []string{"--data-dir", dir, "--db", dbURL}, io.Discard, io.Discard, openStore); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("a second import into the same database: %v", err)
	}
}

// A server run with its own auth file (JINGGE_AUTH_FILE, --auth-file)
// keeps its users and tokens there: the move to PostGIS takes them from
// that file, not from an auth.json the directory never had.
func TestImportDataDirTakesTheServersAuthFile(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	authFile := filepath.Join(t.TempDir(), "users.json")
	d, err := memory.OpenDir(dir, memory.DirOptions{AuthFile: authFile, Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, storetest.Small(), data.ImportOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Auth.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	t.Setenv("JINGGE_AUTH_FILE", authFile) // as the server was run
	if err := importCommand(ctx, []string{"--data-dir", dir, "--db", dbURL}, io.Discard, io.Discard, openStore); err != nil {
		t.Fatalf("import --data-dir: %v", err)
	}
	st := postgistest.MustOpenURL(t, dbURL)
	if _, err := st.User(ctx, "ops"); err != nil {
		t.Errorf("the user of the server's auth file after the move: %v", err)
	}
}

func mustChinaZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

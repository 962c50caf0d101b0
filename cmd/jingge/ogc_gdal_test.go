package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
)

// TestOGCReadByGDAL serves a dataset and reads it with GDAL's OAPIF driver,
// a real OGC API – Features client: ogrinfo must list every collection a
// viewer may read and, for a box and for a property filter, read exactly
// the features the REST API answers. GDAL is installed by
// scripts/ci/install-deps.sh --gdal; without ogrinfo the test skips, except
// under CI, where it fails so the check cannot silently stop running.
func TestOGCReadByGDAL(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo is not installed, and CI must run this test: run scripts/ci/install-deps.sh --gdal")
		}
		t.Skip("ogrinfo (GDAL) is not installed; scripts/ci/install-deps.sh --gdal installs it")
	}
	authFile := filepath.Join(t.TempDir(), "auth.json")
	mustCLI(t, "", "users", "add", "wall", "--role", "viewer", "--auth-file", authFile)
	m := tokenRE.FindStringSubmatch(mustCLI(t, "", "tokens", "create", "--user", "wall", "--auth-file", authFile))
	if m == nil {
		t.Fatal("no token printed")
	}
	token := m[1]
	st := memStore(t, apitest.Checkerboard(8))
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--auth-file", authFile}, stdout, stderr, opener(st))
	})
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	source := "OAPIF:" + base + "/ogc"
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, ogrinfo, args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_HEADERS=Authorization: Bearer "+token, "GDAL_HTTP_TIMEOUT=60", "CPL_VSIL_CURL_NON_CACHED=/", "CPL_CURL_VERBOSE=YES")
		out, err := cmd.CombinedOutput()
		if os.Getenv("OGC_DEBUG") != "" {
			t.Logf("ogrinfo %s:\n%s", strings.Join(args, " "), out)
		}
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	listed := run("-ro", "-so", "-q", source)
	for _, id := range []string{"community_grids", "police_grids", "stations", "regions", "townships", "incidents"} {
		if !regexp.MustCompile(`(?m)^\d+: ` + id + `\b`).MatchString(listed) {
			t.Errorf("ogrinfo does not list collection %s:\n%s", id, listed)
		}
	}

	rest := func(path string) []string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var fc struct {
			Features []struct {
				ID string `json:"id"`
			} `json:"features"`
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(fc.Features))
		for i, f := range fc.Features {
			ids[i] = f.ID
		}
		return ids
	}
	// served replays the item requests ogrinfo made (curl's verbose log)
	// and returns the ids the server answered them with: GDAL filters by
	// the box again on its side, so only this shows what the server chose.
	requestRE := regexp.MustCompile(`(?m)^> GET (/ogc/collections/[a-z_]+/items\?\S*bbox=\S*) HTTP`)
	served := func(log string) []string {
		t.Helper()
		seen := map[string]bool{}
		var ids []string
		for _, m := range requestRE.FindAllStringSubmatch(log, -1) {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			ids = append(ids, rest(m[1])...)
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	features := regexp.MustCompile(`(?m)^OGRFeature\(`)
	count := regexp.MustCompile(`Feature Count: (\d+)`)
	for _, c := range []struct {
		name, layer, rest string
		args              []string
	}{
		{"box", "community_grids", "/api/v1/grids?level=community&bbox=109.015,34.015,109.035,34.045", []string{"-spat", "109.015", "34.015", "109.035", "34.045"}},
		{"box of police grids", "police_grids", "/api/v1/grids?level=police&bbox=109.005,34.005,109.012,34.062", []string{"-spat", "109.005", "34.005", "109.012", "34.062"}},
		{"station", "community_grids", "/api/v1/grids?level=community&station=s003", []string{"-where", "station = 's003'"}},
		{"all stations", "stations", "/api/v1/stations", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantIDs := rest(c.rest)
			want := len(wantIDs)
			if want == 0 {
				t.Fatalf("%s selects nothing: the case proves nothing", c.rest)
			}
			all := run(append(append([]string{"-ro", "-al"}, c.args...), source, c.layer)...)
			if slices.Contains(c.args, "-spat") {
				slices.Sort(wantIDs)
				if got := served(all); !slices.Equal(got, wantIDs) {
					t.Errorf("the server answered ogrinfo's box requests with %v, the REST API with %v", got, wantIDs)
				}
			}
			if got := len(features.FindAllString(all, -1)); got != want {
				t.Errorf("ogrinfo read %d features of %s, the REST API answers %d\n%s", got, c.layer, want, all)
			}
			summary := run(append(append([]string{"-ro", "-so"}, c.args...), source, c.layer)...)
			if m := count.FindStringSubmatch(summary); m == nil || m[1] != fmt.Sprint(want) {
				t.Errorf("ogrinfo -so counts %v of %s, the REST API answers %d\n%s", m, c.layer, want, summary)
			}
		})
	}
}

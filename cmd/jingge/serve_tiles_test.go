package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"jingge/api/apitest"
)

// prerenderLogs returns the "tiles pre-rendered" lines of a JSON log.
func prerenderLogs(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"msg":"tiles pre-rendered"`) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestServePrerendersTiles checks the server renders the tile pyramid
// after start and again after a change, logging the count and time of
// each pass, and stops it on shutdown.
func TestServePrerendersTiles(t *testing.T) {
	st := memStore(t, apitest.Small())
	_, logs, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json", "--prerender-zoom", "10"}, stdout, stderr, opener(st))
	})
	eventually(t, "the pyramid is pre-rendered", func() bool { return len(prerenderLogs(t, logs.String())) == 1 })
	first := prerenderLogs(t, logs.String())[0]
	if first["tiles"].(float64) == 0 || first["rendered"] != first["tiles"] || first["duration"] == nil {
		t.Errorf("first pass logged %v", first)
	}
	if err := st.Replace(apitest.Checkerboard(3)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new dataset's tiles are pre-rendered", func() bool { return len(prerenderLogs(t, logs.String())) == 2 })
	if second := prerenderLogs(t, logs.String())[1]; second["rendered"].(float64) == 0 {
		t.Errorf("after the change the pass rendered nothing: %v", second)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "a.golden")
	*update = true
	got := Recorded(t, path, []byte("one"))
	*update = false
	if string(got) != "one" {
		t.Fatalf("recorded %q under -update, want one", got)
	}
	if err := os.WriteFile(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Recorded(t, path, []byte("one")); string(got) != "two" {
		t.Fatalf("Recorded = %q without -update, want the file's two", got)
	}
}

func TestFirstDifference(t *testing.T) {
	d := FirstDifference([]byte("abcX"), []byte("abcY"))
	if !strings.HasPrefix(d, "at byte 3 of 4 (want 4)") || !strings.Contains(d, `"abcX"`) || !strings.Contains(d, `"abcY"`) {
		t.Fatalf("FirstDifference = %s", d)
	}
}

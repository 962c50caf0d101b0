package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
)

// TestStatePathVars checks PathVar reads the State's variables, falls back
// to mux's when the State holds none, and that a State refuses more than
// it holds rather than dropping some.
func TestStatePathVars(t *testing.T) {
	var seen *http.Request
	h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/tiles/3/4/5.mvt", nil))
	st := StateOf(seen.Context())
	if st == nil || RequestIDFrom(seen.Context()) == "" {
		t.Fatalf("WithRequestID made no State or id: %+v", st)
	}
	if got := PathVar(seen, "z"); got != "" {
		t.Errorf("PathVar before any was added = %q", got)
	}
	muxed := mux.SetURLVars(seen, map[string]string{"z": "7"})
	if got := PathVar(muxed, "z"); got != "7" {
		t.Errorf("PathVar falls back to mux: got %q, want 7", got)
	}
	for _, v := range [][2]string{{"z", "3"}, {"x", "4"}, {"y", "5"}} {
		if !st.AddPathVar(v[0], v[1]) {
			t.Fatalf("AddPathVar(%s) refused", v[0])
		}
	}
	if got := PathVar(seen, "x"); got != "4" {
		t.Errorf("PathVar(x) = %q, want 4", got)
	}
	if got := PathVars(seen); len(got) != 3 || got["y"] != "5" {
		t.Errorf("PathVars = %v", got)
	}
	st.ResetPathVars()
	for i := range maxStateVars {
		if !st.AddPathVar(string(rune('a'+i)), "v") {
			t.Fatalf("AddPathVar refused the %dth of %d", i+1, maxStateVars)
		}
	}
	if st.AddPathVar("one-too-many", "v") {
		t.Error("AddPathVar took more than the State holds")
	}
	if StateOf(context.Background()) != nil || RequestIDFrom(context.Background()) != "" {
		t.Error("a context without WithRequestID has a State")
	}
}

// TestStateCallerOnce checks a request's first caller is never replaced.
func TestStateCallerOnce(t *testing.T) {
	st := &State{}
	if !st.SetCaller("first") || st.SetCaller("second") || st.Caller() != "first" {
		t.Errorf("caller %v: the first must be kept and the second refused", st.Caller())
	}
}

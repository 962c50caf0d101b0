package httpx

import (
	"fmt"
	"net/http"
	"testing"

	"jingge/data"
	"jingge/geo"
)

// Every refusal below the API reaches the client in its own words and
// with the inputs at fault, however deep it is wrapped: a RequestError, a
// dataset's ValidationError and a batch's IncidentError alike.
func TestRefusalsReachTheClient(t *testing.T) {
	for _, c := range []struct {
		name       string
		err        error
		status     int
		typ, param string
	}{
		{"request", fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident 7"}), http.StatusNotFound, "not-found", ""},
		{"dataset", fmt.Errorf("postgis: import: %w", &data.ValidationError{Problems: []data.Problem{{Code: geo.ProblemDuplicateID, Kind: "grid", ID: "g1", Reason: "the id is used twice"}}}), http.StatusBadRequest, "invalid-dataset", "grid g1"},
		{"batch", fmt.Errorf("memory: add incidents: %w", &data.IncidentError{Problems: []data.IncidentProblem{{Index: 2, Field: "location", Reason: "outside every grid"}}}), http.StatusBadRequest, "invalid-incidents", "incidents[2].location"},
	} {
		p, internal := ProblemOf(c.err)
		if internal || p.Status != c.status || p.Type != ProblemType(c.typ) || p.Detail == "" || p.Detail == "bad request" {
			t.Errorf("%s: problem %+v (internal %v), want %d %s with the refusal's words", c.name, p, internal, c.status, c.typ)
			continue
		}
		if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
			t.Errorf("%s: invalid_params %+v, want one named %q", c.name, p.InvalidParams, c.param)
		}
	}
	// aboutParam names the input of a refusal that names none.
	err := AboutParam(fmt.Errorf("x: %w", &data.RequestError{Kind: data.ErrInvalid, Message: "the key is too long"}), "Idempotency-Key")
	if p, _ := ProblemOf(err); len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "Idempotency-Key" || p.InvalidParams[0].Reason != "the key is too long" {
		t.Errorf("aboutParam: %+v", p)
	}
}

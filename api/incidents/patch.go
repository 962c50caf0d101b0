package incidents

import (
	"encoding/json"
	"fmt"
	"strings"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
)

// patchJSON is the body of PATCH /api/v1/incidents/{id}.
type patchJSON struct {
	Status  *string `json:"status"`
	Cleared *bool   `json:"cleared"`
}

// DecodePatch reads the body of a change to an incident: its status
// and/or whether it is cleared, nothing else. Every refusal is a
// *data.RequestError.
func DecodePatch(body []byte) (data.IncidentPatch, error) {
	var pj patchJSON
	var p data.IncidentPatch
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pj); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return p, data.InvalidParams(data.Param{Name: strings.Trim(rest, `"`), Reason: fmt.Sprintf("unknown member %s; a change has status and cleared", rest)})
		}
		return p, intake.JSONError(err)
	}
	if pj.Status == nil && pj.Cleared == nil {
		return p, &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: `the body changes nothing; send {"status": "dispatched"} and/or {"cleared": true}`}
	}
	if pj.Status != nil {
		st := geo.IncidentStatus(*pj.Status)
		if !intake.ValidStatus(st) {
			return p, data.InvalidParams(data.Param{Name: "status", Reason: fmt.Sprintf("status must be reported, dispatched, on_scene or closed, got %q", intake.Clip([]byte(*pj.Status)))})
		}
		p.Status = &st
	}
	p.Cleared = pj.Cleared
	return p, nil
}

package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"jingge/api/httpx"
	"jingge/api/locate"
	"jingge/geo/crs"
)

// BatchResponse answers POST /api/v1/lookup (locate.BatchResponse).
type BatchResponse = locate.BatchResponse

func (s *Server) handleLookupBatch(w http.ResponseWriter, r *http.Request, q query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	queryCRS, hasQueryCRS, err := queryCRSText(q)
	fieldsText, fieldsGiven := q.lookup("fields")
	sel, fieldsErr := locate.ParseFields(fieldsText, fieldsGiven, true)
	if err != nil || fieldsErr != nil {
		return joinInvalid(err, fieldsErr)
	}
	from, points, err := locate.ParseBatch(body, queryCRS, hasQueryCRS, s.maxBatchPoints)
	if errors.Is(err, locate.ErrTooMany) {
		return &httpx.Problem{Kind: httpx.ErrTooLarge, Type: httpx.ProblemType("batch-too-large"), Detail: httpx.RequestMessage(err)}
	}
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	resp := v.loc.LookupBatch(points, from)
	s.metrics.Traffic.LookupBatch.Add(float64(resp.Count))
	if fieldsGiven {
		httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, locate.SelectBatch(resp, sel))
		return nil
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// batchCRS picks the system of a batch from ?crs= and the body's "crs"
// (locate.BatchCRS).
func batchCRS(bodyRaw json.RawMessage, queryText string, hasQuery bool) (crs.CRS, error) {
	return locate.BatchCRS(bodyRaw, queryText, hasQuery)
}

package authhttp

import (
	"log/slog"
	"net/http"

	"jingge/api/auth"
	"jingge/api/httpx"
)

// ListAudit answers GET /api/v1/audit (admins): who did what, when and
// from where, newest first (auth.AuditQueryParams). Without access
// control nothing is audited and the list is empty.
func (g *Guard) ListAudit(w http.ResponseWriter, r *http.Request, q Query) error {
	aq, err := auth.ParseAuditQuery(q.Lookup)
	if err != nil {
		return err
	}
	resp, err := g.Service().QueryAudit(r.Context(), aq)
	if err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if g != nil {
		logger = g.logger
	}
	httpx.WriteJSON(w, r, logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

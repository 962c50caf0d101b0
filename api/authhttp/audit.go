package authhttp

import (
	"log/slog"
	"net/http"
	"time"

	"jingge/api/auth"
	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/data"
)

// ListAudit answers GET /api/v1/audit (admins): who did what, when and
// from where, newest first (auth.AuditQueryParams). since= and until=
// are a time window read as every other (intake.ParseWindowTime, in loc,
// the dataset's zone): until=2026-12-07 holds that whole day. Without
// access control nothing is audited and the list is empty.
func (g *Guard) ListAudit(w http.ResponseWriter, r *http.Request, q Query, loc *time.Location) error {
	aq, err := auth.ParseAuditQuery(q.Lookup, func(name, text string, end bool) (time.Time, *data.Param) {
		return intake.ParseWindowTime(name, text, intake.Bound(end), loc)
	})
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

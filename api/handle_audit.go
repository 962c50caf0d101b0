package api

import (
	"jingge/api/httpx"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"jingge/data"
)

// AuditResponse answers GET /api/v1/audit: entries newest first, and the
// before value that pages to the next older ones (0 at the end).
type AuditResponse struct {
	Entries    []AuditEntryJSON `json:"entries"`
	NextBefore int64            `json:"next_before"`
}

// AuditEntryJSON is one audit entry as the API shows it.
type AuditEntryJSON struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Role       data.Role `json:"role"`
	Credential string    `json:"credential"`
	Action     string    `json:"action"`
	Method     string    `json:"method"`
	Target     string    `json:"target"`
	Remote     string    `json:"remote"`
	RequestID  string    `json:"request_id"`
	Status     int       `json:"status,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// auditQueryParams are the query parameters of GET /api/v1/audit.
var auditQueryParams = []string{"actor", "action", "since", "until", "before", "limit"}

// parseAuditQuery reads the audit filters; every bad one is reported.
func parseAuditQuery(q query) (data.AuditQuery, error) {
	var aq data.AuditQuery
	var bad []httpx.InvalidParam
	aq.Actor, aq.Action = q.get("actor"), q.get("action")
	if len(aq.Actor) > 64 {
		bad = append(bad, httpx.InvalidParam{Name: "actor", Reason: "actor is a user name of at most 64 characters"})
	}
	if len(aq.Action) > 64 {
		bad = append(bad, httpx.InvalidParam{Name: "action", Reason: "action is a route name of at most 64 characters"})
	}
	for _, tp := range []struct {
		name string
		dst  *time.Time
	}{{"since", &aq.Since}, {"until", &aq.Until}} {
		if v, ok := q.lookup(tp.name); ok {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil || t.Year() < 1 || t.Year() > 9999 {
				bad = append(bad, httpx.InvalidParam{Name: tp.name, Reason: tp.name + " must be an RFC 3339 time such as 2026-03-01T08:00:00+08:00"})
			}
			*tp.dst = t
		}
	}
	if v, ok := q.lookup("before"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad = append(bad, httpx.InvalidParam{Name: "before", Reason: "before must be a positive sequence number (next_before of the previous page)"})
		}
		aq.Before = n
	}
	if v, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > data.MaxAuditLimit {
			bad = append(bad, httpx.InvalidParam{Name: "limit", Reason: "limit must be a whole number from 1 to " + strconv.Itoa(data.MaxAuditLimit)})
		}
		aq.Limit = n
	}
	if len(bad) > 0 {
		return aq, httpx.Invalid(bad...)
	}
	if aq.Limit == 0 {
		aq.Limit = 100
	}
	return aq, nil
}

// handleAudit answers GET /api/v1/audit (admins): who did what, when and
// from where, newest first.
func (ac *accessControl) handleAudit(w http.ResponseWriter, r *http.Request, q query) error {
	aq, err := parseAuditQuery(q)
	if err != nil {
		return err
	}
	if ac == nil {
		// Without access control nothing is audited.
		httpx.WriteJSON(w, r, slog.New(slog.DiscardHandler), http.StatusOK, httpx.ContentTypeJSON, AuditResponse{Entries: []AuditEntryJSON{}})
		return nil
	}
	entries, err := ac.cfg.Audit.QueryAudit(r.Context(), aq)
	if err != nil {
		return err
	}
	resp := AuditResponse{Entries: make([]AuditEntryJSON, len(entries))}
	for i, e := range entries {
		resp.Entries[i] = AuditEntryJSON{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: e.Role, Credential: e.Credential, Action: e.Action,
			Method: e.Method, Target: e.Target, Remote: e.Remote, RequestID: e.RequestID, Status: e.Status, Detail: e.Detail}
	}
	if len(entries) == aq.Limit && len(entries) > 0 {
		resp.NextBefore = entries[len(entries)-1].Seq
	}
	httpx.WriteJSON(w, r, ac.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

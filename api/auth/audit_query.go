package auth

import (
	"context"
	"strconv"
	"time"

	"jingge/data"
)

// AuditQueryParams are the query parameters of the audit log's listing.
var AuditQueryParams = []string{"actor", "action", "since", "until", "before", "limit"}

// defaultAuditLimit is how many entries a page holds unless limit says.
const defaultAuditLimit = 100

// WindowReader reads one end of a time window, the parameter name given
// as text (end set for its end), or names what is wrong with it. The API
// passes the reader every time window uses, so since= and until= read a
// date as from= and to= do elsewhere.
type WindowReader func(name, text string, end bool) (time.Time, *data.Param)

// ParseAuditQuery reads the audit filters from lookup (the value of a
// parameter and whether it was given), since= and until= by readTime;
// every bad one is reported in one invalid-parameters *data.RequestError.
func ParseAuditQuery(lookup func(name string) (string, bool), readTime WindowReader) (data.AuditQuery, error) {
	var aq data.AuditQuery
	var bad []data.Param
	aq.Actor, _ = lookup("actor")
	aq.Action, _ = lookup("action")
	if len(aq.Actor) > 64 {
		bad = append(bad, data.Param{Name: "actor", Reason: "actor is a user name of at most 64 characters"})
	}
	if len(aq.Action) > 64 {
		bad = append(bad, data.Param{Name: "action", Reason: "action is a route name of at most 64 characters"})
	}
	for _, tp := range []struct {
		name string
		end  bool
		dst  *time.Time
	}{{"since", false, &aq.Since}, {"until", true, &aq.Until}} {
		if v, ok := lookup(tp.name); ok {
			t, fault := readTime(tp.name, v, tp.end)
			if fault != nil {
				bad = append(bad, *fault)
			}
			*tp.dst = t
		}
	}
	if v, ok := lookup("before"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad = append(bad, data.Param{Name: "before", Reason: "before must be a positive sequence number (next_before of the previous page)"})
		}
		aq.Before = n
	}
	if v, ok := lookup("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > data.MaxAuditLimit {
			bad = append(bad, data.Param{Name: "limit", Reason: "limit must be a whole number from 1 to " + strconv.Itoa(data.MaxAuditLimit)})
		}
		aq.Limit = n
	}
	if len(bad) > 0 {
		return aq, data.InvalidParams(bad...)
	}
	if aq.Limit == 0 {
		aq.Limit = defaultAuditLimit
	}
	return aq, nil
}

// AuditResponse answers a listing of the audit log: entries newest first,
// and the before value that pages to the next older ones (0 at the end).
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

// QueryAudit lists the entries aq selects. A nil s (a server without
// access control) audits nothing and lists nothing.
func (s *Service) QueryAudit(ctx context.Context, aq data.AuditQuery) (AuditResponse, error) {
	if s == nil {
		return AuditResponse{Entries: []AuditEntryJSON{}}, nil
	}
	entries, err := s.cfg.Audit.QueryAudit(ctx, aq)
	if err != nil {
		return AuditResponse{}, err
	}
	resp := AuditResponse{Entries: make([]AuditEntryJSON, len(entries))}
	for i, e := range entries {
		resp.Entries[i] = AuditEntryJSON{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: e.Role, Credential: e.Credential, Action: e.Action,
			Method: e.Method, Target: e.Target, Remote: e.Remote, RequestID: e.RequestID, Status: e.Status, Detail: e.Detail}
	}
	if len(entries) == aq.Limit && len(entries) > 0 {
		resp.NextBefore = entries[len(entries)-1].Seq
	}
	return resp, nil
}

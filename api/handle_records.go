package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/records"
	"jingge/data"
)

// The routes of the prevention records (visits, disputes, tasks): each
// asks package records whether the server keeps them, reads the request,
// calls it as the caller and encodes the answer.

// newRecords wires the records service to this server's index, patrol
// rules, grid attribution and clock.
func (s *Server) newRecords(cfg Config) *records.Service {
	return records.New(records.Options{
		Visits: cfg.Visits, Disputes: cfg.Disputes, Tasks: cfg.Tasks,
		Index:      s.indexInForce,
		Rules:      s.patrols.Rules,
		Attributor: s.inc.svc.Attributor(),
		Now:        s.patrols.opts.Now, MaxAhead: s.patrols.opts.MaxPingAhead,
	})
}

// recordCaller is who makes r, as package records needs to know them.
func recordCaller(r *http.Request) records.Caller {
	ctx := r.Context()
	c := records.Caller{Text: func(s string) string { return textFor(ctx, s) }, Parties: func(s string) string { return partiesFor(ctx, s) }}
	if p, ok := principalFrom(ctx); ok && !p.anonymous() {
		c.Name, c.Role, c.OfficerID = p.user.Name, p.user.Role, p.user.OfficerID
	}
	return c
}

// recordRefusal is err with a refusal for want of rights made a 403.
func recordRefusal(err error) error {
	if errors.Is(err, records.ErrForbidden) {
		return forbidden(httpx.RequestMessage(err))
	}
	return err
}

// recordFeatures answers a list of visits or disputes, one page at a time.
type recordFeatures[P any] struct {
	Type           string             `json:"type"`
	Features       []httpx.Feature[P] `json:"features"`
	NumberReturned int                `json:"number_returned"`
	Links          []httpx.Link       `json:"links"`
}

// TaskCollection answers GET /api/v1/tasks, one page at a time.
type TaskCollection struct {
	Tasks          []*records.TaskProperties `json:"tasks"`
	NumberReturned int                       `json:"number_returned"`
	Links          []httpx.Link              `json:"links"`
}

func recordFeature[P any](d records.Located[P]) httpx.Feature[P] {
	return httpx.NewFeature(d.ID, orb.Geometry(d.Point), d.Properties)
}

func asFeature[P any](d records.Located[P]) (string, any) {
	return httpx.ContentTypeGeoJSON, recordFeature(d)
}

func asTask(t *records.TaskProperties) (string, any) { return httpx.ContentTypeJSON, t }

func featurePage[P any](r *http.Request, p records.Page[records.Located[P]]) (string, any) {
	out := recordFeatures[P]{Type: "FeatureCollection", Features: make([]httpx.Feature[P], len(p.Items)), NumberReturned: len(p.Items), Links: pageLinks(r, p.Next)}
	for i, d := range p.Items {
		out.Features[i] = recordFeature(d)
	}
	return httpx.ContentTypeGeoJSON, out
}

func taskPage(r *http.Request, p records.Page[*records.TaskProperties]) (string, any) {
	out := TaskCollection{Tasks: p.Items, NumberReturned: len(p.Items), Links: pageLinks(r, p.Next)}
	for i := range out.Links {
		out.Links[i].Type = httpx.ContentTypeJSON
	}
	return httpx.ContentTypeJSON, out
}

// addRecord answers a keyed POST of a record of kind k: 201, or 200 when
// it replayed the first answer under its Idempotency-Key.
func addRecord[D any](s *Server, w http.ResponseWriter, r *http.Request, k records.Kind,
	add func(context.Context, records.Caller, []byte, string) (D, bool, error), answer func(D) (string, any)) error {
	if err := s.records.Ready(k); err != nil {
		return err
	}
	key, err := requestKey(r)
	if err != nil {
		return err
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	d, replayed, err := add(r.Context(), recordCaller(r), body, key)
	if err != nil {
		return recordRefusal(err)
	}
	ct, doc := answer(d)
	httpx.WriteJSON(w, r, s.logger, createdStatus(replayed), ct, doc)
	return nil
}

// updateRecord answers a PATCH of the record of kind k the path names.
// Under an Idempotency-Key (keyedAnswer) the store keeps the answer with
// the change, and a retry is answered with it byte for byte (200) before
// anything is checked again, so a phone that lost the answer to a change
// that committed is not told the task is done already.
func updateRecord[D any](s *Server, w http.ResponseWriter, r *http.Request, k records.Kind,
	update func(context.Context, records.Caller, string, []byte, records.Keep[D]) (D, error), answer func(D) (string, any)) error {
	if err := s.records.Ready(k); err != nil {
		return err
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	return keyedAnswer(s, w, r, body, func(key *data.AnswerKey, kept func(D) data.Answer) (D, error) {
		var keep records.Keep[D]
		if key != nil {
			keep = records.Keep[D]{Key: key, Answer: kept}
		}
		d, err := update(r.Context(), recordCaller(r), httpx.PathVar(r, "id"), body, keep)
		return d, recordRefusal(err)
	}, answer)
}

// listRecords answers a page of the records of kind k that q selects; a
// cursor the store never gave out is named as the parameter at fault.
func listRecords[D any](s *Server, w http.ResponseWriter, r *http.Request, q query, k records.Kind,
	list func(context.Context, records.Caller, records.Query) (records.Page[D], error), answer func(*http.Request, records.Page[D]) (string, any)) error {
	if err := s.records.Ready(k); err != nil {
		return err
	}
	p, err := list(r.Context(), recordCaller(r), q.lookup)
	if err != nil {
		return httpx.AboutParam(recordRefusal(err), "cursor")
	}
	ct, doc := answer(r, p)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ct, doc)
	return nil
}

// summarize answers a month's summary of the records of kind k.
func summarize[D any](s *Server, w http.ResponseWriter, r *http.Request, q query, k records.Kind, sum func(context.Context, records.Query) (D, error)) error {
	if err := s.records.Ready(k); err != nil {
		return err
	}
	out, err := sum(r.Context(), q.lookup)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleCreateVisit(w http.ResponseWriter, r *http.Request, _ query) error {
	return addRecord(s, w, r, records.Visits, s.records.AddVisit, asFeature)
}

func (s *Server) handleListVisits(w http.ResponseWriter, r *http.Request, q query) error {
	return listRecords(s, w, r, q, records.Visits, s.records.ListVisits, featurePage)
}

func (s *Server) handleCreateDispute(w http.ResponseWriter, r *http.Request, _ query) error {
	return addRecord(s, w, r, records.Disputes, s.records.AddDispute, asFeature)
}

func (s *Server) handleUpdateDispute(w http.ResponseWriter, r *http.Request, _ query) error {
	return updateRecord(s, w, r, records.Disputes, s.records.UpdateDispute, asFeature)
}

func (s *Server) handleListDisputes(w http.ResponseWriter, r *http.Request, q query) error {
	return listRecords(s, w, r, q, records.Disputes, s.records.ListDisputes, featurePage)
}

func (s *Server) handleDisputeSummary(w http.ResponseWriter, r *http.Request, q query) error {
	return summarize(s, w, r, q, records.Disputes, s.records.SummarizeDisputes)
}

func (s *Server) handleCreateTask(w http.ResponseWriter, r *http.Request, _ query) error {
	return addRecord(s, w, r, records.Tasks, s.records.AddTask, asTask)
}

func (s *Server) handleUpdateTask(w http.ResponseWriter, r *http.Request, _ query) error {
	return updateRecord(s, w, r, records.Tasks, s.records.UpdateTask, asTask)
}

func (s *Server) handleListTasks(w http.ResponseWriter, r *http.Request, q query) error {
	return listRecords(s, w, r, q, records.Tasks, s.records.ListTasks, taskPage)
}

func (s *Server) handleTaskSummary(w http.ResponseWriter, r *http.Request, q query) error {
	return summarize(s, w, r, q, records.Tasks, s.records.SummarizeTasks)
}

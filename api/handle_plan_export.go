package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"jingge/api/planning"
)

// Export media types.
const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	utf8BOM         = "\uFEFF"
	contentTypeHTML = "text/html; charset=utf-8"
)

// writeBody sends a finished body with its type; a filename makes
// browsers save it.
func writeBody(w http.ResponseWriter, status int, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) handlePlanMovesCSV(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.exportPlan(w, r, "moves", planning.WriteMovesCSV)
}

func (s *Server) handlePlanStationsCSV(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.exportPlan(w, r, "stations", planning.WriteStationsCSV)
}

func (s *Server) exportPlan(w http.ResponseWriter, r *http.Request, what string, write func(io.Writer, planning.Document) error) error {
	doc, err := s.plan(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	// A byte-order mark first, so Excel (which planners open these with)
	// reads the Chinese names as UTF-8 rather than the system's code page.
	buf.WriteString(utf8BOM)
	if err := write(&buf, doc); err != nil {
		return err
	}
	writeBody(w, http.StatusOK, contentTypeCSV, "plan-"+doc.ID+"-"+what+".csv", buf.Bytes())
	return nil
}

package api

import (
	"bytes"
	_ "embed"
	"jingge/api/httpx"
	"net/http"
	"strconv"
)

// openAPIDocument describes every route of the server as OpenAPI 3.1. The
// tests keep it in step with the route table.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the server's OpenAPI 3.1 document.
func OpenAPI() []byte { return bytes.Clone(openAPIDocument) }

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request, _ query) error {
	h := w.Header()
	h.Set("Content-Type", httpx.ContentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(openAPIDocument)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIDocument)
	return nil
}

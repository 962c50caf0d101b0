package api

import "time"

// zone returns the local time of the dataset in force (geo.Meta.Location),
// in which the API reads times given without an offset and writes every
// time; UTC before the first dataset is loaded.
func (s *Server) zone() *time.Location {
	if ix := s.live.Load(); ix != nil {
		return ix.Location()
	}
	return time.UTC
}

package geo

import "github.com/paulmach/orb"

// Checkpoint is a control point on a road (查控点) of the checkpoint
// circle (动态治安查控圈): a point owned by a station. Version is the
// store's, as for Area: 1 for a new checkpoint, one more for each change
// of its content, 0 for one not yet stored.
type Checkpoint struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	StationID string `json:"station"`
	// Road names the road the checkpoint controls ("G40沪陕高速蓝田出口").
	Road string `json:"road,omitempty"`
	// Notes is free text: hours it is staffed, what it checks.
	Notes    string    `json:"notes,omitempty"`
	Version  int       `json:"version,omitempty"`
	Location orb.Point `json:"-"`
}

// SameCheckpoint reports whether a and b have the same content, versions
// aside.
func SameCheckpoint(a, b *Checkpoint) bool {
	return a.ID == b.ID && a.Name == b.Name && a.StationID == b.StationID && a.Road == b.Road &&
		a.Notes == b.Notes && a.Location == b.Location
}

// checkpoints checks checkpoints: a unique id and a name, an owner station
// in the dataset and a longitude/latitude location.
func (c *checker) checkpoints(in []Checkpoint, stations map[string]bool) {
	seen := make(map[string]bool, len(in))
	for i := range in {
		p := &in[i]
		c.overlayHead("checkpoint", p.ID, p.Name, seen, p.StationID, stations, Validity{})
		if !lonLat(p.Location) {
			c.bad(ProblemNotLonLat, "checkpoint", p.ID, "location %v is not a longitude/latitude pair", p.Location)
		}
	}
}

// Checkpoints returns every checkpoint in dataset order. Callers must not
// change them.
func (ix *Index) Checkpoints() []Checkpoint { return ix.ds.Checkpoints }

// Checkpoint returns the checkpoint with the given id.
func (ix *Index) Checkpoint(id string) (*Checkpoint, bool) {
	for i := range ix.ds.Checkpoints {
		if ix.ds.Checkpoints[i].ID == id {
			return &ix.ds.Checkpoints[i], true
		}
	}
	return nil, false
}

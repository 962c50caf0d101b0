package planning

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/plan"
)

// Position is a point in WGS-84 longitude and latitude, for the map.
type Position struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// ExitPoint is a candidate exit with its position.
type ExitPoint struct {
	plan.Exit
	Position
}

// StationExits is one station's share of the checkpoint circle: the exits
// in its territory and how many a checkpoint reaches in time.
type StationExits struct {
	Station string  `json:"station"`
	Exits   int     `json:"exits"`
	Covered int     `json:"covered"`
	Share   float64 `json:"share"`
}

// CheckpointCoverage answers GET /api/v1/checkpoints/coverage: the
// checkpoint circle (动态治安查控圈), the share of the county's exits some
// checkpoint reaches within Minutes under the response rings' travel
// model.
type CheckpointCoverage struct {
	ReferenceTime time.Time `json:"reference_time"`
	// SpacingKm is the spacing of the candidate exits along the county's
	// outline. Without road data the exits are this approximation: every
	// road leaving the county crosses the outline within half a spacing
	// of one.
	SpacingKm   float64        `json:"spacing_km"`
	ExitPoints  []ExitPoint    `json:"exit_points"`
	Checkpoints int            `json:"checkpoints"`
	ByStation   []StationExits `json:"by_station"`
	plan.ExitCoverage
}

// CheckpointProposal answers POST /api/v1/checkpoints/propose: sites that
// would cover the most exits beside the checkpoints in force.
type CheckpointProposal struct {
	ReferenceTime time.Time `json:"reference_time"`
	SpacingKm     float64   `json:"spacing_km"`
	Minutes       float64   `json:"minutes"`
	Count         int       `json:"count"`
	Exits         int       `json:"exits"`
	// CoveredBefore counts the exits the checkpoints in force cover.
	CoveredBefore int            `json:"covered_before"`
	Sites         []ProposedSite `json:"sites"`
	// CoveredAfter counts the exits covered with every proposed site.
	CoveredAfter int     `json:"covered_after"`
	ShareAfter   float64 `json:"share_after"`
}

// ProposedSite is one proposed checkpoint site: a grid's centroid (Kind
// "grid", ID the grid's) or a candidate exit itself (Kind "exit").
type ProposedSite struct {
	plan.SiteChoice
	Position
	Station string `json:"station"`
}

// ProposeCheckpointsRequest is the body of POST /api/v1/checkpoints/propose.
type ProposeCheckpointsRequest struct {
	// Count is how many sites to propose (1 to MaxProposedCheckpoints).
	Count int `json:"count"`
	// Minutes is the time within which a checkpoint must reach an exit.
	Minutes float64 `json:"minutes"`
	// SpacingKm is the spacing of candidate exits; 0 means
	// plan.DefaultExitSpacingKm.
	SpacingKm float64 `json:"spacing_km"`
}

// MaxProposedCheckpoints bounds Count: the greedy pass is linear in it.
const MaxProposedCheckpoints = 50

// checkpointOrigins are the dataset's checkpoints as response origins.
func checkpointOrigins(ix *geo.Index) []plan.Origin {
	cps := ix.Checkpoints()
	out := make([]plan.Origin, len(cps))
	for i, c := range cps {
		out[i] = plan.Origin{ID: c.ID, Kind: "checkpoint", Location: c.Location}
	}
	return out
}

// exitParams checks minutes and spacing_km, naming each fault.
func exitParams(minutes, spacingKm float64) (float64, error) {
	var bad []data.Param
	if !(minutes > 0) || minutes > 24*60 {
		bad = append(bad, data.Param{Name: "minutes", Reason: fmt.Sprintf("minutes must be a number of minutes above 0 and at most 1440, got %v", minutes)})
	}
	if spacingKm == 0 {
		spacingKm = plan.DefaultExitSpacingKm
	}
	if !(spacingKm >= 0.5) || spacingKm > 100 || math.IsNaN(spacingKm) {
		bad = append(bad, data.Param{Name: "spacing_km", Reason: fmt.Sprintf("spacing_km must be between 0.5 and 100 kilometres, got %v", spacingKm)})
	}
	if len(bad) > 0 {
		return 0, data.InvalidParams(bad...)
	}
	return spacingKm, nil
}

// position is p of the dataset's datum in WGS-84.
func position(ix *geo.Index, p orb.Point) Position {
	from, err := crs.Parse(ix.Dataset().Meta.Datum)
	if err != nil {
		from = crs.WGS84 // a datum geo.Check refuses never reaches an index
	}
	w := crs.Convert(p, from, crs.WGS84)
	return Position{Lon: w[0], Lat: w[1]}
}

// CheckpointCoverage computes the checkpoint circle: which candidate
// exits (every spacingKm along the county outline; 0 for the default) a
// checkpoint reaches within minutes, in total and per station.
func (p *Planner) CheckpointCoverage(ctx context.Context, minutes, spacingKm float64) (CheckpointCoverage, error) {
	spacingKm, err := exitParams(minutes, spacingKm)
	if err != nil {
		return CheckpointCoverage{}, err
	}
	m, err := p.current(ctx)
	if err != nil {
		return CheckpointCoverage{}, err
	}
	exits, err := m.model.CountyExits(spacingKm)
	if err != nil {
		return CheckpointCoverage{}, planError(err)
	}
	cps := checkpointOrigins(m.ix)
	c, err := plan.CoverExits(exits, cps, minutes)
	if err != nil {
		return CheckpointCoverage{}, planError(err)
	}
	out := CheckpointCoverage{ReferenceTime: m.at, SpacingKm: spacingKm, ExitPoints: make([]ExitPoint, len(exits)), Checkpoints: len(cps), ExitCoverage: c, ByStation: []StationExits{}}
	at := map[string]int{}
	for _, st := range m.ix.Dataset().Stations {
		at[st.ID] = len(out.ByStation)
		out.ByStation = append(out.ByStation, StationExits{Station: st.ID})
	}
	for i, e := range exits {
		out.ExitPoints[i] = ExitPoint{Exit: e, Position: position(m.ix, e.Location)}
		if k, ok := at[e.StationID]; ok {
			s := &out.ByStation[k]
			s.Exits++
			if c.Reach[i].Covered {
				s.Covered++
			}
		}
	}
	for k := range out.ByStation {
		if s := &out.ByStation[k]; s.Exits > 0 {
			s.Share = float64(s.Covered) / float64(s.Exits)
		}
	}
	return out, nil
}

// ProposeCheckpoints proposes up to req.Count checkpoint sites, from the
// centroids of the finest grids and the candidate exits themselves, that
// cover the most exits within req.Minutes beside the checkpoints in
// force (plan.ProposeSites). It stores nothing: a planner adds the sites
// they accept with POST /api/v1/checkpoints.
func (p *Planner) ProposeCheckpoints(ctx context.Context, req ProposeCheckpointsRequest) (CheckpointProposal, error) {
	spacingKm, err := exitParams(req.Minutes, req.SpacingKm)
	if err != nil {
		return CheckpointProposal{}, err
	}
	if req.Count < 1 || req.Count > MaxProposedCheckpoints {
		return CheckpointProposal{}, data.InvalidParams(data.Param{Name: "count", Reason: fmt.Sprintf("count must be between 1 and %d sites, got %d", MaxProposedCheckpoints, req.Count)})
	}
	m, err := p.current(ctx)
	if err != nil {
		return CheckpointProposal{}, err
	}
	exits, err := m.model.CountyExits(spacingKm)
	if err != nil {
		return CheckpointProposal{}, planError(err)
	}
	inForce := checkpointOrigins(m.ix)
	before, err := plan.CoverExits(exits, inForce, req.Minutes)
	if err != nil {
		return CheckpointProposal{}, planError(err)
	}
	candidates := m.model.LeafSites()
	for _, e := range exits {
		candidates = append(candidates, plan.Origin{ID: e.ID, Kind: "exit", Location: e.Location})
	}
	picks, err := plan.ProposeSites(exits, inForce, candidates, req.Count, req.Minutes)
	if err != nil {
		return CheckpointProposal{}, planError(err)
	}
	out := CheckpointProposal{ReferenceTime: m.at, SpacingKm: spacingKm, Minutes: req.Minutes, Count: req.Count, Exits: len(exits),
		CoveredBefore: before.Covered, CoveredAfter: before.Covered, Sites: make([]ProposedSite, len(picks))}
	for i, pk := range picks {
		_, station := m.model.TravelAt(pk.Site.Location)
		out.Sites[i] = ProposedSite{SiteChoice: pk, Position: position(m.ix, pk.Site.Location), Station: station}
		out.CoveredAfter = pk.CoveredAfter
	}
	if out.Exits > 0 {
		out.ShareAfter = float64(out.CoveredAfter) / float64(out.Exits)
	}
	return out, nil
}

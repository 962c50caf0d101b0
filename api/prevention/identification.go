package prevention

import (
	"context"
	"fmt"
	"time"

	"jingge/data"
	"jingge/geo"
)

// Identification is one station's precise prevention and identification
// circle (精准防控识别圈): the key places and special areas it owns and
// what is known of each.
type Identification struct {
	Station string `json:"station"`
	// Since is the start of the visits read for LastVisited.
	Since  time.Time          `json:"since"`
	Places []IdentifiedPlace  `json:"places"`
	Areas  []IdentifiedPlace  `json:"areas"`
	Counts IdentificationSums `json:"counts"`
}

// IdentifiedPlace is one key place or area and its state. It says
// whether a liaison is known, not who: the liaison itself is on the
// place's own route, masked by role.
type IdentifiedPlace struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	LiaisonKnown bool   `json:"liaison_known"`
	InForce      bool   `json:"in_force"`
	// LastVisited is the newest visit naming the place (key_place) or,
	// for a place, within VisitRadiusMeters of it, for an area, inside
	// it; absent when none since Since.
	LastVisited *time.Time `json:"last_visited,omitempty"`
	Visits      int        `json:"visits"`
}

// IdentificationSums count what the lists hold.
type IdentificationSums struct {
	Places           int `json:"places"`
	Areas            int `json:"areas"`
	WithoutLiaison   int `json:"without_liaison"`
	NeverVisited     int `json:"never_visited"`
	VisitsConsidered int `json:"visits_considered"`
}

// VisitRadiusMeters is how near a visit without a key_place must be to a
// key place to count as its visit.
const VisitRadiusMeters = 150

// maxIdentificationVisits bounds the visits one answer reads; the newest
// are read first, so a cut leaves out only the oldest.
const maxIdentificationVisits = 20_000

// Identify builds station's identification circle from ix and the visits
// since since (before now) in visits, which may be nil (no visit known).
// Visits are matched by their key_place first, else by position.
func Identify(ctx context.Context, ix *geo.Index, visits data.VisitStore, station string, since, now time.Time) (Identification, error) {
	if _, ok := ix.Station(station); !ok {
		return Identification{}, data.InvalidParams(data.Param{Name: "station", Reason: fmt.Sprintf("station must be the id of a station of the dataset, got %q", station)})
	}
	out := Identification{Station: station, Since: since, Places: []IdentifiedPlace{}, Areas: []IdentifiedPlace{}}
	placeAt, areaAt := map[string]int{}, map[string]int{}
	for _, p := range ix.Places() {
		if p.StationID == station {
			placeAt[p.ID] = len(out.Places)
			out.Places = append(out.Places, IdentifiedPlace{ID: p.ID, Name: p.Name, Kind: string(p.Kind), LiaisonKnown: p.Liaison.Name != "" || p.Liaison.Phone != "", InForce: p.In(now)})
		}
	}
	for _, a := range ix.Areas() {
		if a.StationID == station {
			areaAt[a.ID] = len(out.Areas)
			out.Areas = append(out.Areas, IdentifiedPlace{ID: a.ID, Name: a.Name, Kind: string(a.Kind), LiaisonKnown: a.Liaison.Name != "" || a.Liaison.Phone != "", InForce: a.In(now)})
		}
	}
	seen := func(ip *IdentifiedPlace, at time.Time) {
		ip.Visits++
		if ip.LastVisited == nil || at.After(*ip.LastVisited) {
			t := at
			ip.LastVisited = &t
		}
	}
	var near []geo.PlaceNear
	var inside []*geo.Area
	if visits != nil {
		page := data.Page{Limit: data.MaxPageLimit}
		for out.Counts.VisitsConsidered < maxIdentificationVisits {
			vp, err := visits.QueryVisits(ctx, data.VisitFilter{From: since, To: now}, page)
			if err != nil {
				return Identification{}, fmt.Errorf("prevention: identification: reading visits: %w", err)
			}
			for i := range vp.Visits {
				v := &vp.Visits[i]
				out.Counts.VisitsConsidered++
				if k, ok := placeAt[v.KeyPlaceID]; ok {
					seen(&out.Places[k], v.At)
				} else if v.KeyPlaceID == "" {
					near = ix.PlacesNear(v.Location, VisitRadiusMeters, v.At, near[:0])
					for _, pn := range near {
						if k, ok := placeAt[pn.Place.ID]; ok {
							seen(&out.Places[k], v.At)
						}
					}
				}
				inside = ix.AreasAt(v.Location, v.At, inside[:0])
				for _, a := range inside {
					if k, ok := areaAt[a.ID]; ok {
						seen(&out.Areas[k], v.At)
					}
				}
			}
			if vp.Next == "" {
				break
			}
			page.Cursor = vp.Next
		}
	}
	out.Counts.Places, out.Counts.Areas = len(out.Places), len(out.Areas)
	for _, list := range [][]IdentifiedPlace{out.Places, out.Areas} {
		for _, ip := range list {
			if !ip.LiaisonKnown {
				out.Counts.WithoutLiaison++
			}
			if ip.LastVisited == nil {
				out.Counts.NeverVisited++
			}
		}
	}
	return out, nil
}

package lantian

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"jingge/geo"
	"jingge/geo/presence"
)

// SyntheticVisitNote is the outcome of every synthetic visit, so no one
// takes one for a record of real work.
const SyntheticVisitNote = "合成演示数据（synthetic demo data）"

// SyntheticVisitRecorder is the RecordedBy of every synthetic visit.
const SyntheticVisitRecorder = "demo"

// VisitsUntil synthesises the 365 days of visits (走访, 上门服务, 回访, 宣传)
// before end by each police grid's own officers, attributed to the grids
// and station of their place, in time order. Each grid gets a diligence
// of its own, so some are visited several times a week and a few are
// neglected for weeks; on weekdays more than at weekends, in office
// hours. After an incident of incidents (the synthetic year of
// IncidentsUntil with the same end) a grid's officers often come back
// within three days for a follow-up (回访). Every visit names a synthetic
// household and says it is synthetic in its outcome. The same dataset,
// seed, end and incidents give the same visits. None of them happened.
func VisitsUntil(ds *geo.Dataset, seed uint64, end time.Time, incidents []geo.Incident) ([]geo.Visit, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("lantian: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x76697369))
	end = end.In(chinaTime)
	start := end.AddDate(0, 0, -365)
	owners := presence.Owners(ix)
	type beat struct {
		police    *geo.Grid
		cells     []*geo.Grid // community grids, or the police grid alone
		preps     []*geo.Prepared
		officers  []string
		diligence float64 // visits a week on average
	}
	beats := map[string]*beat{}
	var order []*beat
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.PoliceLevel || len(owners[g.ID]) == 0 {
			continue
		}
		b := &beat{police: g, officers: owners[g.ID]}
		for _, c := range ix.Children(g.ID) {
			b.cells = append(b.cells, c)
			b.preps = append(b.preps, geo.Prepare(c.Geometry))
		}
		if len(b.cells) == 0 {
			b.cells, b.preps = []*geo.Grid{g}, []*geo.Prepared{geo.Prepare(g.Geometry)}
		}
		// One grid in ten is neglected; the others range around the target.
		b.diligence = presence.DefaultTargetPerWeek * (0.4 + 1.2*rng.Float64())
		if rng.IntN(10) == 0 {
			b.diligence = 0.15
		}
		beats[g.ID] = b
		order = append(order, b)
	}
	var out []geo.Visit
	visit := func(b *beat, day time.Time, kind geo.VisitKind) {
		i := rng.IntN(len(b.cells))
		at := day.Add(time.Duration(9*60+rng.IntN(9*60)) * time.Minute)
		out = append(out, geo.Visit{
			OfficerID: b.officers[rng.IntN(len(b.officers))], At: at, Location: randomIn(rng, b.preps[i]), Kind: kind,
			Whom:    fmt.Sprintf("%s%d组 住户（合成）", b.cells[i].Name, 1+rng.IntN(9)),
			Outcome: SyntheticVisitNote, RecordedAt: at.Add(time.Hour), RecordedBy: SyntheticVisitRecorder,
			CommunityGridID: communityID(b.cells[i]), PoliceGridID: b.police.ID, StationID: b.police.StationID,
		})
	}
	kinds := []geo.VisitKind{geo.VisitCall, geo.VisitCall, geo.VisitCall, geo.HomeService, geo.HomeService, geo.Publicity, geo.OtherVisit}
	for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
		wd := day.Weekday()
		f := 1.2
		if wd == time.Saturday || wd == time.Sunday {
			f = 0.5
		}
		for _, b := range order {
			for range poisson(rng, b.diligence/7*f) {
				visit(b, day, kinds[rng.IntN(len(kinds))])
			}
		}
	}
	for i := range incidents {
		inc := &incidents[i]
		b := beats[inc.PoliceGridID]
		if b == nil || rng.Float64() >= 0.35 {
			continue
		}
		y, m, d := inc.OccurredAt.In(chinaTime).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, chinaTime).AddDate(0, 0, 1+rng.IntN(3))
		if day.Before(end) {
			visit(b, day, geo.FollowUp)
		}
	}
	slices.SortStableFunc(out, func(a, b geo.Visit) int { return a.At.Compare(b.At) })
	return out, nil
}

// communityID is g's id when it is a community grid, else "".
func communityID(g *geo.Grid) string {
	if g.Level == geo.CommunityLevel {
		return g.ID
	}
	return ""
}

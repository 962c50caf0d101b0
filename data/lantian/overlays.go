package lantian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// The special areas and key places the bureau's plan names, placed in
// their townships: 园区 at 洩湖 and 华胥, tourism at 焦岱 and 汤峪, the 李家河
// water-protection zone and the 西十高铁 works (both with the 李家河
// station, which covers 辋川 and 蓝桥), key villages, a school zone in the
// county seat, and a school, a market and a health centre per township.
// Names are real where the plan gives them; every position and outline is
// synthetic, and so are the liaisons.

// metresPerDegree is the length of a degree of latitude, for sizing shapes.
const metresPerDegree = 111_320.0

// areaPlan is one special area to place: in the township named, about
// radius metres across its middle (works: a corridor of that half-length).
type areaPlan struct {
	id, name, township string
	kind               geo.AreaKind
	radiusMeters       float64
	opening            string
	from, to           string // dates in the dataset's zone; "" for open
}

var areaPlans = []areaPlan{
	{"park-xiehu", "洩湖工业园区", "洩湖镇", geo.AreaPark, 1400, "", "", ""},
	{"park-huaxu", "华胥产业园区", "华胥镇", geo.AreaPark, 1200, "", "", ""},
	{"scenic-jiaodai", "焦岱旅游景区", "焦岱镇", geo.AreaScenic, 1600, "全年开放，4月至10月为旺季", "", ""},
	{"scenic-tangyu", "汤峪温泉旅游区", "汤峪镇", geo.AreaScenic, 1800, "全年开放，10月至次年3月为温泉旺季", "", ""},
	{"water-lijiahe", "李家河饮用水源保护区", "辋川镇", geo.AreaWaterProtection, 2600, "", "", ""},
	{"works-xishi-hsr", "西十高铁蓝田段施工区", "蓝桥镇", geo.AreaWorks, 3500, "", "2021-12-01", "2027-06-30"},
	{"school-zone-languan", "县城中小学周边安全区", "蓝关街道", geo.AreaSchoolZone, 500, "上学日 7:00-18:00", "", ""},
}

// keyVillageTownships are where one key village (重点村居) each is marked.
var keyVillageTownships = []string{"蓝桥镇", "辋川镇", "洩湖镇", "焦岱镇", "普化镇"}

// overlays places the areas and places of the plan in ds, whose grids and
// townships are final. It draws from its own random stream, so the grids
// do not change with it.
func overlays(ds *geo.Dataset, src *sources, seed uint64) ([]geo.Area, []geo.Place, error) {
	rng := rand.New(rand.NewPCG(seed, 0x6f7665726c6179))
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, nil, fmt.Errorf("lantian: %w", err)
	}
	loc, err := ds.Meta.Location()
	if err != nil {
		return nil, nil, fmt.Errorf("lantian: %w", err)
	}
	townships := map[string]int{}
	for i, t := range ds.Townships {
		townships[t.Name] = i
	}
	seats := make([]orb.Point, len(ds.Townships))
	for i, row := range src.townships {
		seats[i] = crs.GCJ02ToWGS84(row.Seat)
	}
	ownerAt := func(p orb.Point) (string, error) {
		h := ix.Lookup(p)
		if h.Station == nil {
			return "", fmt.Errorf("lantian: the point %v lies in no grid", p)
		}
		return h.Station.ID, nil
	}
	var areas []geo.Area
	for _, ap := range areaPlans {
		t, ok := townships[ap.township]
		if !ok {
			return nil, nil, fmt.Errorf("lantian: area %s: no township %s", ap.id, ap.township)
		}
		mp, center := placeArea(rng, &ds.Townships[t], seats[t], ap)
		owner, err := ownerAt(center)
		if err != nil {
			return nil, nil, err
		}
		a := geo.Area{ID: ap.id, Name: ap.name, Kind: ap.kind, StationID: owner, Opening: ap.opening,
			Liaison: geo.Liaison{Name: personName(rng), Phone: maskedMobile(rng)}, Geometry: mp}
		if a.ValidFrom, err = day(ap.from, loc); err != nil {
			return nil, nil, err
		}
		if a.ValidTo, err = day(ap.to, loc); err != nil {
			return nil, nil, err
		}
		areas = append(areas, a)
	}
	var places []geo.Place
	add := func(id, name string, kind geo.PlaceKind, p orb.Point, opening string) error {
		owner, err := ownerAt(p)
		if err != nil {
			return err
		}
		places = append(places, geo.Place{ID: id, Name: name, Kind: kind, StationID: owner, Opening: opening,
			Liaison: geo.Liaison{Name: personName(rng), Phone: maskedMobile(rng)}, Location: p})
		return nil
	}
	for t := range ds.Townships {
		tw := &ds.Townships[t]
		short := strings.TrimSuffix(strings.TrimSuffix(tw.Name, "镇"), "街道")
		for _, p := range []struct {
			id, name string
			kind     geo.PlaceKind
			opening  string
		}{
			{"school-" + tw.Code, short + "中心小学", geo.PlaceSchool, "上学日 7:30-17:30"},
			{"market-" + tw.Code, short + "集贸市场", geo.PlaceMarket, "逢集日 6:00-13:00"},
			{"hospital-" + tw.Code, short + "中心卫生院", geo.PlaceHospital, "24小时急诊"},
		} {
			if err := add(p.id, p.name, p.kind, nearSeat(rng, tw, seats[t], 1500), p.opening); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, name := range keyVillageTownships {
		t := townships[name]
		var villages []*geo.Grid
		for i := range ds.Grids {
			if g := &ds.Grids[i]; g.Level == geo.CommunityLevel && g.Township == ds.Townships[t].Code {
				villages = append(villages, g)
			}
		}
		if len(villages) == 0 {
			return nil, nil, fmt.Errorf("lantian: township %s has no village", name)
		}
		v := villages[rng.IntN(len(villages))]
		if err := add("village-"+v.ID, villageName(v.Name)+"（重点村居）", geo.PlaceVillage, interiorPoint(v.Geometry), "村委会 周一至周五 8:30-17:30"); err != nil {
			return nil, nil, err
		}
	}
	// A market held for the spring festival season only: a place with an
	// end, as works sites have.
	t := townships["汤峪镇"]
	fair := nearSeat(rng, &ds.Townships[t], seats[t], 1200)
	if err := add("market-tangyu-fair", "汤峪春节庙会临时市场", geo.PlaceMarket, fair, "每日 8:00-20:00"); err != nil {
		return nil, nil, err
	}
	last := &places[len(places)-1]
	if last.ValidFrom, err = day("2027-01-25", loc); err != nil {
		return nil, nil, err
	}
	if last.ValidTo, err = day("2027-02-20", loc); err != nil {
		return nil, nil, err
	}
	return areas, places, nil
}

func day(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("lantian: %w", err)
	}
	return t, nil
}

// offset is p moved east and north by metres.
func offset(p orb.Point, east, north float64) orb.Point {
	return orb.Point{p[0] + east/(metresPerDegree*math.Cos(p[1]*math.Pi/180)), p[1] + north/metresPerDegree}
}

// placeArea finds an outline for ap inside township t: a star-shaped
// polygon of 16 jittered vertices (a corridor for works) around the
// interior point nearest the seat where the full size fits, shrinking the
// size where it fits nowhere. It returns the outline and its centre.
func placeArea(rng *rand.Rand, t *geo.Township, seat orb.Point, ap areaPlan) (orb.MultiPolygon, orb.Point) {
	prep := geo.Prepare(t.Geometry)
	jitter := make([]float64, 16)
	for i := range jitter {
		jitter[i] = 0.75 + 0.25*rng.Float64()
	}
	angle := rng.Float64() * math.Pi
	shape := func(c orb.Point, r float64) orb.Ring {
		var ring orb.Ring
		if ap.kind == geo.AreaWorks { // a corridor 300 m wide along a line
			dx, dy := math.Cos(angle), math.Sin(angle)
			for _, s := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
				ring = append(ring, offset(c, s[0]*r*dx-s[1]*150*dy, s[0]*r*dy+s[1]*150*dx))
			}
		} else {
			for i, j := range jitter {
				a := 2 * math.Pi * float64(i) / float64(len(jitter))
				ring = append(ring, offset(c, r*j*math.Cos(a), r*j*math.Sin(a)))
			}
		}
		return append(ring, ring[0])
	}
	fits := func(ring orb.Ring) bool {
		for _, p := range ring {
			if !prep.Contains(p) {
				return false
			}
		}
		return true
	}
	b := prep.Bound()
	for r := ap.radiusMeters; ; r *= 0.8 {
		best, bestD := orb.Point{}, math.Inf(1)
		for i := range 40 {
			for j := range 40 {
				c := orb.Point{b.Min[0] + (float64(i)+0.5)/40*(b.Max[0]-b.Min[0]), b.Min[1] + (float64(j)+0.5)/40*(b.Max[1]-b.Min[1])}
				if d := geo.DistanceMeters(c, seat); d < bestD && prep.Contains(c) && fits(shape(c, r)) {
					best, bestD = c, d
				}
			}
		}
		if !math.IsInf(bestD, 1) {
			return orb.MultiPolygon{{shape(best, r)}}, best
		}
	}
}

// nearSeat is a point of township t within about radius metres of its
// seat, or its interior point nearest the seat.
func nearSeat(rng *rand.Rand, t *geo.Township, seat orb.Point, radiusMeters float64) orb.Point {
	prep := geo.Prepare(t.Geometry)
	for range 200 {
		a, r := rng.Float64()*2*math.Pi, radiusMeters*math.Sqrt(rng.Float64())
		if p := offset(seat, r*math.Cos(a), r*math.Sin(a)); prep.Contains(p) {
			return p
		}
	}
	return interiorPoint(t.Geometry)
}

// interiorPoint is a point inside mp near the middle of its bound: the
// inside point of a 32×32 lattice over the bound nearest its centre.
func interiorPoint(mp orb.MultiPolygon) orb.Point {
	prep := geo.Prepare(mp)
	b := prep.Bound()
	c := b.Center()
	best, bestD := mp[0][0][0], math.Inf(1)
	for i := range 32 {
		for j := range 32 {
			p := orb.Point{b.Min[0] + (float64(i)+0.5)/32*(b.Max[0]-b.Min[0]), b.Min[1] + (float64(j)+0.5)/32*(b.Max[1]-b.Min[1])}
			if d := geo.DistanceMeters(p, c); d < bestD && prep.Contains(p) {
				best, bestD = p, d
			}
		}
	}
	return best
}

// villageName is a committee's place name: 山底村委会 is 山底村, 城关社区居委会
// is 城关社区.
func villageName(committee string) string {
	if s, ok := strings.CutSuffix(committee, "村委会"); ok {
		return s + "村"
	}
	return strings.TrimSuffix(committee, "居委会")
}

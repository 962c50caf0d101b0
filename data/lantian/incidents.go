package lantian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// TimeZone is the county's local time, written into the dataset's meta:
// China Standard Time, which keeps no daylight saving.
const TimeZone = "Asia/Shanghai"

// chinaTime is TimeZone, in which the generator places its incidents and
// assessment months.
var chinaTime = mustZone(TimeZone)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("lantian: " + err.Error())
	}
	return loc
}

// DefaultIncidentsEnd ends the bundled year of incidents used by tests and
// benchmarks, so their figures do not move with the calendar.
var DefaultIncidentsEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, chinaTime)

// Townships with their own incident patterns.
const (
	xiehuTownship  = "610122101" // 洩湖镇: industrial park
	huaxuTownship  = "610122102" // 华胥镇: industrial park
	tangyuTownship = "610122104" // 汤峪镇: hot springs, scenic area
	jiaodaiTownshp = "610122105" // 焦岱镇: scenic area
)

// incidentsPer1000 is the yearly base rate per 1,000 residents before the
// regional, urban and calendar factors.
const incidentsPer1000 = 22.0

// Incidents returns a year of synthetic incidents ending at
// DefaultIncidentsEnd; see IncidentsUntil.
func Incidents(ds *geo.Dataset, seed uint64) ([]geo.Incident, error) {
	return IncidentsUntil(ds, seed, DefaultIncidentsEnd)
}

// IncidentsUntil synthesises the 365 days of incidents before end's day,
// and those of end's own day that occurred and were reported before end,
// sorted by occurrence time and attributed to the grids and station of
// their location. The days before end's day are the same whatever the
// time of end, so a demo started in the evening has the same year as one
// started in the morning, plus the day so far. The structure is meant to look like a real county's: more
// incidents in the river-valley towns and urban communities, tourist peaks
// at 汤峪 and 焦岱 on weekends and holidays, weekday traffic and disputes
// around the industrial parks of 洩湖 and 华胥, quiet nights, busier
// evenings and Fridays. The same dataset, seed and end give the same
// incidents. None of them happened.
func IncidentsUntil(ds *geo.Dataset, seed uint64, end time.Time) ([]geo.Incident, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("lantian: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x696e6369))
	end = end.In(chinaTime)
	y, m, d := end.Date()
	endDay := time.Date(y, m, d, 0, 0, 0, 0, chinaTime)
	start := endDay.AddDate(0, 0, -365)
	places := incidentPlaces(ds, ix, rng)
	var out []geo.Incident
	synth := func(day time.Time) { out = synthDay(out, rng, ix, places, day) }
	for day := start; day.Before(endDay); day = day.AddDate(0, 0, 1) {
		synth(day)
	}
	sortIncidents(out)
	final := endDay.Add(-72 * time.Hour)
	for i := range out {
		out[i].ID = fmt.Sprintf("I%s%05d", out[i].OccurredAt.Format("20060102"), i+1)
		settle(rng, &out[i], final)
	}
	if !endDay.Before(end) {
		return out, nil
	}
	// End's own day so far, drawn after the year so the year stays as it
	// is: what occurred and was reported before end.
	year := len(out)
	synth(endDay)
	today := out[:year]
	for _, inc := range out[year:] {
		if inc.OccurredAt.Before(end) && !inc.ReportedAt.After(end) {
			today = append(today, inc)
		}
	}
	out = today
	sortIncidents(out[year:])
	for i := year; i < len(out); i++ {
		out[i].ID = fmt.Sprintf("I%s%05d", out[i].OccurredAt.Format("20060102"), i+1)
		settle(rng, &out[i], final)
	}
	return out, nil
}

// incidentPlace is a community grid as the generator sees it.
type incidentPlace struct {
	grid     *geo.Grid
	prep     *geo.Prepared
	region   geo.Terrain
	hotspots []orb.Point
	rate     float64 // expected incidents per ordinary day
}

// incidentPlaces lists the community grids with their rates and hotspots.
func incidentPlaces(ds *geo.Dataset, ix *geo.Index, rng *rand.Rand) []incidentPlace {
	var places []incidentPlace
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.CommunityLevel {
			continue
		}
		st, _ := ix.Station(g.StationID)
		p := incidentPlace{grid: g, prep: geo.Prepare(g.Geometry), region: st.Region}
		f := map[geo.Terrain]float64{geo.Plain: 1.3, geo.Plateau: 1.0, geo.Hill: 0.8, geo.Mountain: 0.65}[st.Region]
		if strings.HasSuffix(g.Name, "社区") {
			f *= 1.6
		}
		p.rate = float64(g.Population) / 1000 * incidentsPer1000 * f / 365
		for range 1 + rng.IntN(3) {
			p.hotspots = append(p.hotspots, randomIn(rng, p.prep))
		}
		places = append(places, p)
	}
	return places
}

// synthDay appends day's incidents to out.
func synthDay(out []geo.Incident, rng *rand.Rand, ix *geo.Index, places []incidentPlace, day time.Time) []geo.Incident {
	wd := day.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	holiday := isHoliday(day)
	season := 1 + 0.15*math.Sin(2*math.Pi*(float64(day.YearDay())-100)/365) // warmer months busier
	for _, p := range places {
		lambda := p.rate * season
		if wd == time.Friday || wd == time.Saturday {
			lambda *= 1.15
		}
		tourist := p.grid.Township == tangyuTownship || p.grid.Township == jiaodaiTownshp
		industrial := p.grid.Township == xiehuTownship || p.grid.Township == huaxuTownship
		switch {
		case tourist && holiday:
			lambda *= 3.2
		case tourist && weekend:
			lambda *= 2.2
		case industrial && !weekend && !holiday:
			lambda *= 1.35
		}
		for range poisson(rng, lambda) {
			out = append(out, makeIncident(rng, ix, p.grid, p.prep, p.hotspots, day, tourist && (weekend || holiday), industrial && !weekend))
		}
	}
	return out
}

// hourWeights is the daily rhythm: quiet before dawn, busy late morning and
// evening.
var hourWeights = [24]float64{3, 2, 1.5, 1, 1, 1.5, 3, 5, 6, 7, 8, 8, 7, 6, 6, 7, 7, 8, 9, 10, 9, 7, 5, 4}

func makeIncident(rng *rand.Rand, ix *geo.Index, g *geo.Grid, prep *geo.Prepared, hotspots []orb.Point, day time.Time, tourist, industrial bool) geo.Incident {
	hour := pickWeighted(rng, hourWeights[:])
	at := day.Add(time.Duration(hour)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
	cat := pickCategory(rng, tourist, industrial)
	var loc orb.Point
	if rng.Float64() < 0.6 {
		loc = near(rng, prep, hotspots[rng.IntN(len(hotspots))])
	} else {
		loc = randomIn(rng, prep)
	}
	h := ix.Lookup(loc)
	inc := geo.Incident{
		OccurredAt: at,
		ReportedAt: at.Add(time.Duration(1+rng.IntN(40)) * time.Minute),
		Category:   cat,
		Severity:   severity(rng, cat),
		Location:   loc,
		Source:     pickSource(rng),
		Summary:    summary(rng, cat, g.Name),
	}
	if h.Community != nil {
		inc.CommunityGridID, inc.PoliceGridID, inc.StationID = h.Community.ID, h.Police.ID, h.Station.ID
	}
	return inc
}

// settle gives an incident its status: everything older than three days
// before the end is closed; criminal cases are cleared more often the older
// they are.
func settle(rng *rand.Rand, inc *geo.Incident, final time.Time) {
	if inc.OccurredAt.Before(final) {
		inc.Status = geo.Closed
	} else {
		inc.Status = []geo.IncidentStatus{geo.Reported, geo.Dispatched, geo.OnScene, geo.Closed}[rng.IntN(4)]
	}
	if inc.Category == geo.Criminal && inc.Status == geo.Closed {
		inc.Cleared = rng.Float64() < 0.62
	}
}

func pickCategory(rng *rand.Rand, tourist, industrial bool) geo.Category {
	w := []float64{8, 30, 15, 22, 18, 2, 5} // geo.Categories order
	if tourist {
		w[2], w[4] = 24, 28 // traffic jams, lost visitors
	}
	if industrial {
		w[2], w[3] = 22, 30 // commuter traffic, labour disputes
	}
	return geo.Categories[pickWeighted(rng, w)]
}

func severity(rng *rand.Rand, c geo.Category) int {
	s := 1 + pickWeighted(rng, []float64{45, 30, 15, 7, 3})
	if c == geo.Criminal || c == geo.Fire {
		s = min(5, s+1)
	}
	return s
}

func pickSource(rng *rand.Rand) string {
	return []string{"110", "walk_in", "patrol", "online"}[pickWeighted(rng, []float64{70, 15, 10, 5})]
}

var summaries = map[geo.Category][]string{
	geo.Criminal:    {"%s一住户报称家中财物被盗", "%s发生电动车被盗案件", "%s附近发生电信诈骗报案"},
	geo.PublicOrder: {"%s有人酒后滋事", "%s发生打架斗殴", "%s有噪音扰民投诉"},
	geo.Traffic:     {"%s路段发生两车剐蹭事故", "%s路口交通拥堵", "%s发生电动车与行人碰撞"},
	geo.Dispute:     {"%s邻里因宅基地发生纠纷", "%s发生家庭纠纷", "%s务工人员讨薪纠纷"},
	geo.Assistance:  {"%s有老人走失求助", "%s游客迷路求助", "%s群众钥匙丢失求助"},
	geo.Fire:        {"%s柴草堆起火", "%s一民房厨房起火"},
	geo.Other:       {"%s群众咨询户籍业务", "%s发现可疑人员"},
}

func summary(rng *rand.Rand, c geo.Category, place string) string {
	s := summaries[c]
	return fmt.Sprintf(s[rng.IntN(len(s))], place)
}

func pickWeighted(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// poisson draws from a Poisson distribution (Knuth; the daily rates here
// are small).
func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// randomIn draws a uniform point inside prep by rejection from its bound.
func randomIn(rng *rand.Rand, prep *geo.Prepared) orb.Point {
	b := prep.Bound()
	for {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if prep.Contains(p) {
			return p
		}
	}
}

// near draws a point about 150 m around a hotspot, inside prep.
func near(rng *rand.Rand, prep *geo.Prepared, c orb.Point) orb.Point {
	for range 20 {
		p := orb.Point{c[0] + rng.NormFloat64()*0.0016, c[1] + rng.NormFloat64()*0.0013}
		if prep.Contains(p) {
			return p
		}
	}
	return c
}

// isHoliday reports Chinese public holidays: the fixed-date ones and the
// Spring Festival week for 2024–2028 (other lunar holidays are left out).
func isHoliday(d time.Time) bool {
	m, day := d.Month(), d.Day()
	switch {
	case m == time.January && day == 1,
		m == time.May && day <= 5,
		m == time.October && day <= 7:
		return true
	}
	springFestival := map[int]time.Time{
		2024: time.Date(2024, 2, 10, 0, 0, 0, 0, chinaTime), 2025: time.Date(2025, 1, 29, 0, 0, 0, 0, chinaTime),
		2026: time.Date(2026, 2, 17, 0, 0, 0, 0, chinaTime), 2027: time.Date(2027, 2, 6, 0, 0, 0, 0, chinaTime),
		2028: time.Date(2028, 1, 26, 0, 0, 0, 0, chinaTime),
	}
	if sf, ok := springFestival[d.Year()]; ok {
		diff := d.Sub(sf)
		return diff >= -24*time.Hour && diff < 7*24*time.Hour
	}
	return false
}

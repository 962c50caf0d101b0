package lantian

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"jingge/geo"
)

// SyntheticRecorder is the recorded_by of every synthetic dispute and
// task, so they can be told from what users record.
const SyntheticRecorder = "synthetic"

// disputesPer1000 is the yearly rate of disputes per 1,000 residents.
const disputesPer1000 = 5.0

// mediationBrands are the county's local mediation brands.
var mediationBrands = []string{"朱先生说事", "枫桥+乡约", "老娘舅调解", "乡贤说和"}

var disputeSummaries = map[geo.DisputeKind][]string{
	geo.NeighbourDispute: {"%s两户因宅基地边界发生争执", "%s邻里因排水沟堵塞发生纠纷", "%s村民因噪音问题发生口角"},
	geo.FamilyDispute:    {"%s夫妻因家庭琐事发生矛盾", "%s兄弟因赡养老人发生纠纷"},
	geo.LandDispute:      {"%s村民因承包地界发生纠纷", "%s两组因林地归属发生争议"},
	geo.LabourDispute:    {"%s务工人员讨要工资", "%s工地工人与包工头因工钱发生纠纷"},
	geo.DebtDispute:      {"%s村民之间借款未还发生纠纷"},
	geo.OtherDispute:     {"%s因停车问题发生纠纷", "%s因农家乐经营发生纠纷"},
}

// DisputesUntil synthesises the 365 days of disputes before end, about
// five a year per 1,000 residents of each community grid, sorted by report
// time and attributed to the grids and station of their place. Most are
// settled in their group or village within days (小事不出组、大事不出村), some
// are passed to the township or county and take weeks; those whose
// settlement would fall after end are still open. Every one is recorded
// by SyntheticRecorder. The same dataset, seed and end give the same
// disputes. None of them happened.
func DisputesUntil(ds *geo.Dataset, seed uint64, end time.Time) ([]geo.DisputeCase, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("lantian: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x64697370))
	end = end.In(chinaTime)
	start := end.AddDate(0, 0, -365)
	kinds := []float64{30, 20, 15, 12, 10, 13} // geo.DisputeKinds order
	var out []geo.DisputeCase
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.CommunityLevel {
			continue
		}
		prep := geo.Prepare(g.Geometry)
		rate := float64(g.Population) / 1000 * disputesPer1000 / 365
		for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
			for range poisson(rng, rate) {
				at := day.Add(time.Duration(7+rng.IntN(14))*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
				if !at.Before(end) {
					continue
				}
				loc := randomIn(rng, prep)
				h := ix.Lookup(loc)
				if h.Community == nil {
					continue
				}
				kind := geo.DisputeKinds[pickWeighted(rng, kinds)]
				templates := disputeSummaries[kind]
				d := geo.DisputeCase{
					ReportedAt: at, Location: loc, Kind: kind, Level: geo.DisputeOpen,
					Parties:    surnames[rng.IntN(len(surnames))].name + "某、" + surnames[rng.IntN(len(surnames))].name + "某",
					Summary:    fmt.Sprintf(templates[rng.IntN(len(templates))], g.Name),
					RecordedAt: at.Add(time.Duration(10+rng.IntN(120)) * time.Minute), RecordedBy: SyntheticRecorder,
					CommunityGridID: h.Community.ID, PoliceGridID: h.Police.ID, StationID: h.Station.ID,
				}
				settleDispute(rng, &d, end)
				out = append(out, d)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b geo.DisputeCase) int { return a.ReportedAt.Compare(b.ReportedAt) })
	return out, nil
}

// settleDispute gives d the level, method and time it was settled at, or
// leaves it open when that time is not before end.
func settleDispute(rng *rand.Rand, d *geo.DisputeCase, end time.Time) {
	level := []geo.DisputeLevel{geo.LevelGroup, geo.LevelVillage, geo.LevelTownship, geo.LevelCounty}[pickWeighted(rng, []float64{52, 30, 13, 5})]
	var days int
	var method geo.SettleMethod
	switch level {
	case geo.LevelGroup, geo.LevelVillage:
		days = rng.IntN(map[geo.DisputeLevel]int{geo.LevelGroup: 4, geo.LevelVillage: 8}[level])
		method = []geo.SettleMethod{geo.MediationBrand, geo.PeopleMediation}[pickWeighted(rng, []float64{45, 55})]
	case geo.LevelTownship:
		days = 3 + rng.IntN(18)
		method = []geo.SettleMethod{geo.JudicialOffice, geo.PeopleMediation}[pickWeighted(rng, []float64{60, 40})]
	default:
		days = 10 + rng.IntN(36)
		method = []geo.SettleMethod{geo.JudicialOffice, geo.Referral}[pickWeighted(rng, []float64{40, 60})]
	}
	settled := d.ReportedAt.Add(time.Duration(days)*24*time.Hour + time.Duration(1+rng.IntN(8))*time.Hour)
	brand := ""
	if method == geo.MediationBrand {
		brand = mediationBrands[rng.IntN(len(mediationBrands))]
	}
	if !settled.Before(end) {
		return
	}
	d.Level, d.Method, d.MediationBrand, d.SettledAt = level, method, brand, settled
	d.UpdatedAt, d.UpdatedBy = settled, SyntheticRecorder
}

var taskTitles = []string{"走访辖区独居老人", "排查出租屋流动人口", "开展防诈骗宣传", "检查重点场所消防安全", "回访矛盾纠纷当事人", "核查重点人员动态", "校园周边安全巡查", "更新网格基础信息"}

// TasksUntil synthesises a station task list (任务清单) for each month of
// the 365 days before end, and end's own month: two to four tasks a month for each police
// grid, due on a day of the month, each assigned to the grid and to one of
// its officers (to the grid alone when it has none). Most are done up to
// five days before they fall due; the others are done late, mostly within
// days, at most taskMaxLate after; a task is done only if that was before
// end. So, as in a bureau's own list, every task due more than
// taskMaxLate before end is done, and only recent ones are still open or
// overdue. Every one is recorded by SyntheticRecorder. The same dataset,
// seed and end give the same tasks.
func TasksUntil(ds *geo.Dataset, seed uint64, end time.Time) []geo.Task {
	rng := rand.New(rand.NewPCG(seed, 0x7461736b))
	end = end.In(chinaTime)
	officers := map[string][]string{} // police grid -> its officers
	for _, m := range ds.Members {
		if m.StationID == "" {
			continue
		}
		for _, g := range m.GridIDs {
			officers[g] = append(officers[g], m.ID)
		}
	}
	start := end.AddDate(0, 0, -365)
	first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, chinaTime)
	var out []geo.Task
	for month := first; month.Before(end); month = month.AddDate(0, 1, 0) {
		days := month.AddDate(0, 1, -1).Day()
		for i := range ds.Grids {
			g := &ds.Grids[i]
			if g.Level != geo.PoliceLevel {
				continue
			}
			for range 2 + rng.IntN(3) {
				due := month.AddDate(0, 0, rng.IntN(days)+1).Add(-time.Second) // the end of a day of the month
				t := geo.Task{
					StationID: g.StationID, GridID: g.ID, Title: taskTitles[rng.IntN(len(taskTitles))], Due: due,
					RecordedAt: month.Add(time.Duration(8+rng.IntN(3)) * time.Hour), RecordedBy: SyntheticRecorder,
				}
				if os := officers[g.ID]; len(os) > 0 {
					t.OfficerID = os[rng.IntN(len(os))]
				}
				if done := taskDoneAt(rng, due, t.RecordedAt); done.Before(end) {
					t.DoneAt, t.DoneBy = done, SyntheticRecorder
				}
				out = append(out, t)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b geo.Task) int { return a.Due.Compare(b.Due) })
	return out
}

// taskOnTimeShare is the share of synthetic tasks done by their due time.
const taskOnTimeShare = 0.85

// taskMeanLate is the mean delay of a synthetic task done late;
// taskMaxLate bounds it, so a task due longer ago than that is done.
const (
	taskMeanLate = 5 * 24 * time.Hour
	taskMaxLate  = 40 * 24 * time.Hour
)

// taskDoneAt is when a synthetic task due at due and recorded at recorded
// is done: up to five days early for taskOnTimeShare of them, else late by
// an exponential delay of mean taskMeanLate (an hour at least, taskMaxLate
// at most), never before recorded. It draws the same numbers either way,
// so one task's fate does not shift the tasks after it.
func taskDoneAt(rng *rand.Rand, due, recorded time.Time) time.Time {
	onTime := rng.Float64() < taskOnTimeShare
	early := time.Duration(rng.IntN(5*24)) * time.Hour
	late := min(time.Hour+time.Duration(rng.ExpFloat64()*float64(taskMeanLate)).Truncate(time.Minute), taskMaxLate)
	done := due.Add(late)
	if onTime {
		done = due.Add(-early)
	}
	if done.Before(recorded) {
		done = recorded.Add(time.Hour)
	}
	return done
}

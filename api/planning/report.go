package planning

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"jingge/geo/plan"
)

// reportLabels are the words of the printable plan report, Chinese first.
var reportLabels = map[string][2]string{
	"title":           {"警力与警格调整方案", "Officer and police-grid plan"},
	"current_title":   {"现行警力部署", "Deployment in force"},
	"subtitle":        {"蓝田“派出所主防”警格规划", "Grid-based community policing planner"},
	"about":           {"方案信息", "About this plan"},
	"status":          {"状态", "Status"},
	"status_current":  {"现行", "in force"},
	"status_proposed": {"待实施", "proposed"},
	"status_applied":  {"已实施", "applied"},
	"stale":           {"（数据已变化，不能再实施）", " (the data changed since; it can no longer be applied)"},
	"created":         {"提出时间", "Proposed"},
	"created_by":      {"提出人", "Proposed by"},
	"applied":         {"实施时间", "Applied"},
	"note":            {"说明", "Note"},
	"reference":       {"警情截止", "Incidents up to"},
	"incidents":       {"计入警情数", "Incidents counted"},
	"dataset":         {"数据版本", "Dataset"},
	"seed":            {"随机种子", "Seed"},
	"weights":         {"目标权重（均衡/紧凑/响应/变动）", "Objective weights (balance/compactness/response/change)"},
	"summary":         {"总体指标", "Figures"},
	"figure":          {"指标", "Figure"},
	"before":          {"调整前", "Before"},
	"after":           {"调整后", "After"},
	"change":          {"变化", "Change"},
	"cv":              {"人均工作量变异系数", "CV of load per officer"},
	"gini":            {"人均工作量基尼系数", "Gini of load per officer"},
	"maxmin":          {"人均工作量最大/最小比", "Max/min load per officer"},
	"mean_load":       {"人均工作量（均值）", "Mean load per officer"},
	"pp":              {"辖区紧凑度（Polsby–Popper 均值）", "Mean Polsby–Popper compactness"},
	"mean_response":   {"平均响应时间（分钟）", "Mean response time (min)"},
	"p90_response":    {"90% 响应时间（分钟）", "90th percentile response (min)"},
	"within":          {"%s 分钟内到达警情占比", "Incidents reached within %s min"},
	"grids_moved":     {"调整警格数", "Police grids moved"},
	"officers_moved":  {"调整警力数", "Officers moved"},
	"contiguous":      {"各所辖区连片", "Every station in one piece"},
	"yes":             {"是", "yes"},
	"no":              {"否", "no"},
	"stations":        {"各派出所", "Stations"},
	"station":         {"派出所", "Station"},
	"police_grids":    {"警格", "Police grids"},
	"officers":        {"警力", "Officers"},
	"workload":        {"工作量", "Workload"},
	"load":            {"人均工作量", "Load per officer"},
	"response":        {"平均响应（分钟）", "Mean response (min)"},
	"officer_moves":   {"警力调整", "Officer moves"},
	"grid_moves":      {"警格调整", "Police-grid moves"},
	"from":            {"调出", "From"},
	"to":              {"调入", "To"},
	"count":           {"人数", "Officers"},
	"grid":            {"警格", "Police grid"},
	"villages":        {"随调网格（村/社区）", "Community grids moving with it"},
	"none":            {"无", "None"},
	"footnote": {"工作量由警情（按类别、严重程度和时效加权）、面积和人口按地形系数计算；响应时间为按地形车速估算的直线距离时间，仅用于方案比较，不是路径规划结果。",
		"Workload weighs incidents (by category, severity and recency), area and population by terrain. Response times are straight-line estimates at terrain road speeds, for comparing plans; they are not routing results."},
}

// reportView is what the report template shows, already worded and
// formatted.
type reportView struct {
	Lang, Title, Heading string
	L                    map[string]string
	About                [][2]string
	Figures              []reportFigure
	Stations             []reportStation
	OfficerMoves         []reportOfficerMove
	GridMoves            []reportGridMove
}

type reportFigure struct{ Label, Before, After, Change string }

type reportStation struct {
	Name                                   string
	Grids, Officers, Workload, Load, Resp  [2]string
	GridsChanged, OfficersChanged, Changed bool
}

type reportOfficerMove struct {
	From, To string
	Count    int
}

type reportGridMove struct {
	Grid, Name, From, To, Villages, Workload string
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #444; }
p.sub { margin: 0; color: #555; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 1mm 2mm; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #eee; }
tr.changed td { background: #fff6d5; }
table.about th { width: 35%; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555; }
@media print { h2 { page-break-after: avoid; } }
</style>
</head>
<body>
<header>
<h1>{{.Heading}}</h1>
<p class="sub">{{.L.subtitle}}</p>
</header>
<section>
<h2>{{.L.about}}</h2>
<table class="about">
{{- range .About}}
<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{- end}}
</table>
</section>
<section>
<h2>{{.L.summary}}</h2>
<table class="figures">
<thead><tr><th>{{.L.figure}}</th><th>{{.L.before}}</th><th>{{.L.after}}</th><th>{{.L.change}}</th></tr></thead>
<tbody>
{{- range .Figures}}
<tr><td>{{.Label}}</td><td class="n">{{.Before}}</td><td class="n">{{.After}}</td><td class="n">{{.Change}}</td></tr>
{{- end}}
</tbody>
</table>
</section>
<section>
<h2>{{.L.stations}}</h2>
<table class="stations">
<thead><tr><th>{{.L.station}}</th><th>{{.L.police_grids}}</th><th>{{.L.officers}}</th><th>{{.L.workload}}</th><th>{{.L.load}}</th><th>{{.L.response}}</th></tr></thead>
<tbody>
{{- range .Stations}}
<tr{{if .Changed}} class="changed"{{end}}><td>{{.Name}}</td><td class="n">{{index .Grids 0}} → {{index .Grids 1}}</td><td class="n">{{index .Officers 0}} → {{index .Officers 1}}</td><td class="n">{{index .Workload 0}} → {{index .Workload 1}}</td><td class="n">{{index .Load 0}} → {{index .Load 1}}</td><td class="n">{{index .Resp 0}} → {{index .Resp 1}}</td></tr>
{{- end}}
</tbody>
</table>
</section>
<section>
<h2>{{.L.officer_moves}}</h2>
{{- if .OfficerMoves}}
<table class="officer-moves">
<thead><tr><th>{{.L.from}}</th><th>{{.L.to}}</th><th>{{.L.count}}</th></tr></thead>
<tbody>
{{- range .OfficerMoves}}
<tr><td>{{.From}}</td><td>{{.To}}</td><td class="n">{{.Count}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{.L.none}}</p>
{{- end}}
</section>
<section>
<h2>{{.L.grid_moves}}</h2>
{{- if .GridMoves}}
<table class="grid-moves">
<thead><tr><th>{{.L.grid}}</th><th>{{.L.from}}</th><th>{{.L.to}}</th><th>{{.L.villages}}</th><th>{{.L.workload}}</th></tr></thead>
<tbody>
{{- range .GridMoves}}
<tr><td>{{.Name}}<br/>{{.Grid}}</td><td>{{.From}}</td><td>{{.To}}</td><td>{{.Villages}}</td><td class="n">{{.Workload}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{.L.none}}</p>
{{- end}}
</section>
<footer><p>{{.L.footnote}}</p></footer>
</body>
</html>
`))

// ParseReportLang reads the report's language: "" or "zh" for Chinese,
// "en" for English.
func ParseReportLang(s string) (int, error) {
	switch s {
	case "", "zh", "zh-CN":
		return 0, nil
	case "en":
		return 1, nil
	}
	return 0, fmt.Errorf("planning: report language %q: use zh (the default) or en", s)
}

// WriteReport writes a plan as a printable HTML page in language lang
// (0 Chinese, 1 English, see ParseReportLang), with times in loc (the
// dataset's local time, Planner.Zone). The page needs nothing else: no
// scripts, fonts, images or style sheets from elsewhere.
func WriteReport(w io.Writer, doc Document, lang int, names map[string]string, loc *time.Location) error {
	L := make(map[string]string, len(reportLabels))
	for k, v := range reportLabels {
		L[k] = v[lang]
	}
	v := reportView{Lang: [2]string{"zh-CN", "en"}[lang], L: L}
	v.Heading = L["title"] + " #" + doc.ID
	if doc.Status == "current" {
		v.Heading = L["current_title"]
	}
	v.Title = v.Heading
	name := func(id string) string {
		if n := doc.StationNames[id]; n != "" {
			return n
		}
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	status := L["status_"+doc.Status]
	if doc.Stale && doc.Status == "proposed" {
		status += L["stale"]
	}
	v.About = [][2]string{{L["status"], status}}
	if doc.Status != "current" {
		v.About = append(v.About, [2]string{L["created"], when(doc.CreatedAt)}, [2]string{L["created_by"], doc.CreatedBy})
	}
	if doc.AppliedAt != nil {
		v.About = append(v.About, [2]string{L["applied"], when(doc.AppliedAt) + " " + doc.AppliedBy})
	}
	if doc.Note != "" {
		v.About = append(v.About, [2]string{L["note"], doc.Note})
	}
	ref := doc.ReferenceTime
	v.About = append(v.About, [2]string{L["reference"], when(&ref)}, [2]string{L["incidents"], strconv.Itoa(doc.Incidents)})
	if doc.Status != "current" {
		o := doc.Objective
		v.About = append(v.About, [2]string{L["seed"], strconv.FormatUint(doc.Options.Seed, 10)},
			[2]string{L["weights"], fmt.Sprintf("%s / %s / %s / %s", trimFloat(o.Balance), trimFloat(o.Compactness), trimFloat(o.Response), trimFloat(o.Change))})
	}
	v.About = append(v.About, [2]string{L["dataset"], doc.Dataset})

	b, a := doc.Before, doc.After
	num := func(label string, x, y float64, n int) {
		v.Figures = append(v.Figures, reportFigure{label, fixed(x, n), fixed(y, n), signed(y-x, n)})
	}
	pct := func(label string, x, y float64) {
		v.Figures = append(v.Figures, reportFigure{label, fixed(100*x, 1) + "%", fixed(100*y, 1) + "%", signed(100*(y-x), 1) + " pp"})
	}
	num(L["cv"], b.Balance.CV, a.Balance.CV, 3)
	num(L["gini"], b.Balance.Gini, a.Balance.Gini, 3)
	num(L["maxmin"], b.Balance.MaxMinRatio, a.Balance.MaxMinRatio, 2)
	num(L["mean_load"], b.Balance.MeanLoadPerOfficer, a.Balance.MeanLoadPerOfficer, 1)
	num(L["pp"], b.MeanPolsbyPopper, a.MeanPolsbyPopper, 3)
	num(L["mean_response"], b.Response.MeanMinutes, a.Response.MeanMinutes, 2)
	num(L["p90_response"], b.Response.P90Minutes, a.Response.P90Minutes, 2)
	for k := range min(len(b.Response.Within), len(a.Response.Within)) {
		pct(fmt.Sprintf(L["within"], trimFloat(b.Response.Within[k].Minutes)), b.Response.Within[k].Share, a.Response.Within[k].Share)
	}
	v.Figures = append(v.Figures,
		reportFigure{L["grids_moved"], "", fmt.Sprintf("%d (%s%%)", a.Change.GridsMoved, fixed(100*a.Change.GridShare, 1)), ""},
		reportFigure{L["officers_moved"], "", fmt.Sprintf("%d (%s%%)", a.Change.OfficersMoved, fixed(100*a.Change.OfficerShare, 1)), ""},
		reportFigure{L["contiguous"], yesNo(L, b.Contiguous), yesNo(L, a.Contiguous), ""})

	after := map[string]plan.StationMeasures{}
	for _, s := range a.Stations {
		after[s.StationID] = s
	}
	for _, s := range b.Stations {
		t := after[s.StationID]
		rs := reportStation{Name: name(s.StationID),
			Grids:    [2]string{strconv.Itoa(s.Grids), strconv.Itoa(t.Grids)},
			Officers: [2]string{strconv.Itoa(s.Officers), strconv.Itoa(t.Officers)},
			Workload: [2]string{fixed(s.Workload, 0), fixed(t.Workload, 0)},
			Load:     [2]string{fixed(s.LoadPerOfficer, 1), fixed(t.LoadPerOfficer, 1)},
			Resp:     [2]string{fixed(s.MeanResponseMinutes, 1), fixed(t.MeanResponseMinutes, 1)},
		}
		rs.Changed = s.Grids != t.Grids || s.Officers != t.Officers
		v.Stations = append(v.Stations, rs)
	}
	for _, mv := range doc.OfficerMoves {
		v.OfficerMoves = append(v.OfficerMoves, reportOfficerMove{From: name(mv.From), To: name(mv.To), Count: mv.Count})
	}
	for _, mv := range doc.GridMoves {
		v.GridMoves = append(v.GridMoves, reportGridMove{Grid: mv.GridID, Name: mv.Name, From: name(mv.From), To: name(mv.To),
			Villages: villagesText(mv.CommunityGrids, names), Workload: fixed(mv.Workload, 0)})
	}
	return reportTemplate.Execute(w, v)
}

func signed(x float64, n int) string {
	s := fixed(x, n)
	if x > 0 && s != fixed(0, n) {
		return "+" + s
	}
	if s == "-"+fixed(0, n) {
		return fixed(0, n)
	}
	return s
}

func yesNo(L map[string]string, b bool) string {
	if b {
		return L["yes"]
	}
	return L["no"]
}

// villagesText lists community grids by name where names has them.
func villagesText(ids []string, names map[string]string) string {
	var buf bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			buf.WriteString("、")
		}
		if n := names[id]; n != "" {
			buf.WriteString(n)
		} else {
			buf.WriteString(id)
		}
	}
	return buf.String()
}

// ReportNames returns the names the report uses: every station and grid
// of the index in force, by id.
func (p *Planner) ReportNames() map[string]string {
	out := map[string]string{}
	ix := p.live.Load()
	if ix == nil {
		return out
	}
	ds := ix.Dataset()
	for _, s := range ds.Stations {
		out[s.ID] = s.Name
	}
	for _, g := range ds.Grids {
		out[g.ID] = g.Name
	}
	return out
}

// Zone returns the local time of the dataset in force (geo.Meta.Location),
// in which reports and the commands give times; UTC before one is loaded.
func (p *Planner) Zone() *time.Location {
	if ix := p.live.Load(); ix != nil {
		return ix.Location()
	}
	return time.UTC
}

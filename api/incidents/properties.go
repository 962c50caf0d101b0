package incidents

import (
	"time"

	"jingge/api/mask"
	"jingge/geo"
)

// Properties are the properties of an incident feature. Times are RFC
// 3339 in the dataset's zone.
type Properties struct {
	ID            string             `json:"id"`
	OccurredAt    string             `json:"occurred_at"`
	ReportedAt    string             `json:"reported_at"`
	Category      geo.Category       `json:"category"`
	CategoryZH    string             `json:"category_zh"`
	Severity      int                `json:"severity"`
	Status        geo.IncidentStatus `json:"status"`
	Cleared       bool               `json:"cleared"`
	Source        string             `json:"source"`
	Summary       string             `json:"summary"`
	CommunityGrid string             `json:"community_grid"`
	PoliceGrid    string             `json:"police_grid"`
	Station       string             `json:"station"`
}

// PropertiesOf is inc as a caller under policy p may read it, with times
// in loc: its free text (summary, source) with phone numbers masked for
// the roles that see members' numbers masked.
func PropertiesOf(inc *geo.Incident, loc *time.Location, p mask.Policy) *Properties {
	return &Properties{
		ID: inc.ID, OccurredAt: inc.OccurredAt.In(loc).Format(time.RFC3339Nano), ReportedAt: inc.ReportedAt.In(loc).Format(time.RFC3339Nano),
		Category: inc.Category, CategoryZH: inc.Category.LabelZH(), Severity: inc.Severity, Status: inc.Status, Cleared: inc.Cleared,
		Source: p.Text(inc.Source), Summary: p.Text(inc.Summary), CommunityGrid: inc.CommunityGridID, PoliceGrid: inc.PoliceGridID, Station: inc.StationID,
	}
}

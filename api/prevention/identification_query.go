package prevention

import (
	"fmt"
	"strconv"

	"jingge/api/intake"
	"jingge/data"
)

// DefaultIdentificationDays is how far back the identification circle
// reads visits when a request gives no days.
const DefaultIdentificationDays = 90

// ReadIdentification reads the request of a station's identification
// circle from q: station (required) and days, from 1 to 366
// (DefaultIdentificationDays when left out); every bad one is named in
// one refusal.
func ReadIdentification(q func(string) (string, bool)) (station string, days int, err error) {
	station, ok := q("station")
	var bad []data.Param
	if !ok || station == "" {
		bad = append(bad, data.Param{Name: "station", Reason: "station is required: the id of the station whose circle to show"})
	}
	days = DefaultIdentificationDays
	if text, ok := q("days"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 366 {
			bad = append(bad, data.Param{Name: "days", Reason: fmt.Sprintf("days must be a whole number of days from 1 to 366, got %q", intake.Clip([]byte(text)))})
		}
		days = n
	}
	if len(bad) > 0 {
		return "", 0, data.InvalidParams(bad...)
	}
	return station, days, nil
}

package planning

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jingge/data"
)

// assessmentCSV is a file of entered metrics with Chinese headers, a
// station by name, months in three spellings and a blank line.
const assessmentCSV = "\ufeff派出所,月份,熟悉率分子,熟悉率分母,满意度分子,满意度分母\n" +
	"s01,2026-05,45,50,90,100\n" +
	"第2派出所,2026年5月,30,60,,\n" +
	"\n" +
	"s03,2026/5,0,0,10,10\n"

func TestParseAssessmentCSV(t *testing.T) {
	rows, err := ParseAssessmentCSV(strings.NewReader(assessmentCSV))
	if err != nil {
		t.Fatal(err)
	}
	want := []AssessmentRow{
		{Line: 2, Entry: data.AssessmentEntry{StationID: "s01", Month: "2026-05", Familiarity: data.Ratio{Numerator: 45, Denominator: 50}, Satisfaction: data.Ratio{Numerator: 90, Denominator: 100}}},
		{Line: 3, Entry: data.AssessmentEntry{StationID: "第2派出所", Month: "2026-05", Familiarity: data.Ratio{Numerator: 30, Denominator: 60}}},
		{Line: 5, Entry: data.AssessmentEntry{StationID: "s03", Month: "2026-05", Satisfaction: data.Ratio{Numerator: 10, Denominator: 10}}},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows\n got %+v\nwant %+v", rows, want)
	}
	var big bytes.Buffer
	big.WriteString("station,month\n")
	for i := range maxAssessmentRows + 1 {
		fmt.Fprintf(&big, "s%d,2026-01\n", i)
	}
	_, err = ParseAssessmentCSV(&big)
	var verr *data.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Error(), "import the file in parts") {
		t.Errorf("a file of %d rows: %v", maxAssessmentRows+1, err)
	}
}

// FuzzParseAssessmentCSV checks the CSV parser never panics, and that what
// it accepts is what the stores accept: every entry passes
// data.CheckAssessmentEntries.
func FuzzParseAssessmentCSV(f *testing.F) {
	f.Add([]byte(assessmentCSV))
	f.Add([]byte("station,month,familiarity_numerator,familiarity_denominator\ns01,2026-05,1,2\n"))
	f.Add([]byte("station,month\n\"unterminated\n"))
	f.Add([]byte("month,station,satisfaction_denominator,satisfaction_numerator\n2026年12月,文姬路派出所,10,9\n"))
	f.Add([]byte("station,month,risk_warning_numerator\ns,2026-01,NaN\ns,2026-02,1e309\ns,2026-03,-0\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseAssessmentCSV(bytes.NewReader(b))
		if err != nil {
			var verr *data.ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("error %v is not a *data.ValidationError with problems", err)
			}
			return
		}
		entries := make([]data.AssessmentEntry, len(rows))
		for i, r := range rows {
			entries[i] = r.Entry
		}
		if p := data.CheckAssessmentEntries(entries); len(p) > 0 {
			t.Fatalf("accepted entries the stores reject: %v", p)
		}
	})
}

// FuzzAssessmentCSV checks the assessment import: rows come back with a
// station, a month and line numbers inside the file, or the whole file is
// refused with an error.
func FuzzAssessmentCSV(f *testing.F) {
	for _, s := range []string{
		"station,month,familiarity_num,familiarity_den\nchengguan,2026-03,5,10\n",
		"\ufeff站点,月份\nchengguan,2026年3月\n",
		"station,month\n,\n", "month\n2026-13\n", "", "\"unterminated\n", "station,month,familiarity_num\nx,2026-03,-1e999\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rows, err := ParseAssessmentCSV(strings.NewReader(text))
		if err != nil {
			return
		}
		lines := strings.Count(text, "\n") + 1
		for _, r := range rows {
			if r.Line < 2 || r.Line > lines+1 || r.Entry.StationID == "" || r.Entry.Month == "" {
				t.Fatalf("%q gave row %+v", text, r)
			}
		}
	})
}

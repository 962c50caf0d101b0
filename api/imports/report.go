package imports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"jingge/api/intake"
)

// maxPrinted bounds the problems printed; the count says the rest.
const maxPrinted = 200

// Report says what an import did.
type Report struct {
	File     string    `json:"file"`
	DryRun   bool      `json:"dry_run"`
	Rows     int       `json:"rows"`
	Good     int       `json:"good"`
	Bad      int       `json:"bad"`
	Imported int       `json:"imported"`
	Replayed bool      `json:"already_imported"`
	FirstID  string    `json:"first_id,omitempty"`
	LastID   string    `json:"last_id,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	// Noun names what the file holds, "incident" when empty.
	Noun string `json:"-"`
	// Failed says the import was refused and nothing was stored.
	Failed bool `json:"-"`
}

// Problem is one bad row: where it is and what is wrong with it.
type Problem struct {
	Where   string `json:"where"`
	Reasons string `json:"reason"`
}

// fill counts rows' good and bad rows and lists the bad ones.
func (r *Report) fill(rows []intake.Row, good int) {
	r.Good, r.Bad, r.Problems = good, 0, nil
	for _, row := range rows {
		if len(row.Problems) > 0 {
			r.Bad++
			r.Problems = append(r.Problems, Problem{Where: row.Where, Reasons: strings.Join(row.Problems, "; ")})
		}
	}
}

// refused reports whether the import stops before storing anything: bad
// rows without skipBad, no good row at all, or a dry run; it marks the
// report failed for the first two.
func (r *Report) refused(o Options) bool {
	r.Failed = r.Bad > 0 && !o.SkipBad || r.Good == 0
	return r.Failed || o.DryRun
}

// Finish writes the report to w, as indented JSON when asJSON, and
// returns an ErrRejected error when the import was refused.
func (r *Report) Finish(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.print(w)
	}
	if r.Failed {
		return fmt.Errorf("%w: %d of %d row(s) of %s have problems; nothing was imported", ErrRejected, r.Bad, r.Rows, r.File)
	}
	return nil
}

func (r *Report) print(w io.Writer) {
	noun := r.Noun
	if noun == "" {
		noun = "incident"
	}
	switch {
	case r.Failed && r.Good == 0 && r.Bad == 0:
		fmt.Fprintf(w, "%s: holds no %ss; nothing was imported\n", r.File, noun)
	case r.Failed:
		fmt.Fprintf(w, "%s: not imported: %d of %d row(s) have problems (fix them, or pass --skip-bad to import the other %d)\n", r.File, r.Bad, r.Rows, r.Good)
	case r.DryRun:
		fmt.Fprintf(w, "%s: checked: %d of %d row(s) would be imported (dry run: nothing written)\n", r.File, r.Good, r.Rows)
	case r.Replayed:
		fmt.Fprintf(w, "%s: already imported (ids %s to %s); nothing was added\n", r.File, r.FirstID, r.LastID)
	default:
		fmt.Fprintf(w, "%s: imported %d %s(s), ids %s to %s\n", r.File, r.Imported, noun, r.FirstID, r.LastID)
	}
	if r.Bad > 0 && !r.Failed {
		fmt.Fprintf(w, "skipped %d bad row(s):\n", r.Bad)
	}
	for i, p := range r.Problems {
		if i == maxPrinted {
			fmt.Fprintf(w, "  ... and %d more\n", len(r.Problems)-i)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", p.Where, p.Reasons)
	}
}

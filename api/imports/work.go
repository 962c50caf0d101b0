package imports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// Work imports CSV files of disputes or tasks: the columns it knows, and
// how a row becomes a record stored under a key.
type Work struct {
	kind     string   // "disputes" or "tasks"
	required []string // columns every file must have
	optional []string
	// row reads one row (column -> text) into a record writer; problems
	// say what is wrong with it, each naming its column.
	row func(ctx context.Context, cols map[string]string) (write recordWriter, problems []string)
}

// recordWriter stores one checked row under key and returns the record's
// id and whether the key had stored it before.
type recordWriter func(ctx context.Context, key string) (id string, replayed bool, err error)

// NewWork prepares imports of kind ("disputes" or "tasks") into st, whose
// dataset in force is ds; a dispute file's points are in the system from.
func NewWork(kind string, st data.Store, ds *geo.Dataset, from crs.CRS) (*Work, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("reading the dataset: %w", err)
	}
	zone := ix.Location()
	when := timesIn(zone, time.Now())
	switch kind {
	case "disputes":
		return disputeImport(st, ds, from, zone, when)
	case "tasks":
		return taskImport(st, ix, zone, when)
	}
	return nil, fmt.Errorf("unknown import kind %q", kind)
}

// timeReader reads an optional time column, noting a bad or future one
// in problems; "" is the zero time.
type timeReader func(col, text string, problems *[]string) time.Time

// timesIn reads times in zone, refusing those after now.
func timesIn(zone *time.Location, now time.Time) timeReader {
	return func(col, text string, problems *[]string) time.Time {
		if text == "" {
			return time.Time{}
		}
		t, err := intake.ParseTime(text, zone)
		switch {
		case err != nil:
			*problems = append(*problems, col+": "+err.Error())
		case t.After(now):
			*problems = append(*problems, fmt.Sprintf("%s: %s is in the future", col, text))
		}
		return t
	}
}

// goodRow is a checked row ready to store.
type goodRow struct {
	line  int
	write recordWriter
}

// Import checks every row of the CSV file name (body) and then, unless
// the report refuses (bad rows without SkipBad, none good, a dry run),
// stores the good ones, each under a key made of the file's digest and
// its line, so importing the file again (or again after a failure midway)
// stores each row once.
func (imp *Work) Import(ctx context.Context, name string, body []byte, o Options) (*Report, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	col, err := imp.header(r, name)
	if err != nil {
		return nil, err
	}
	var good []goodRow
	rep := &Report{File: name, DryRun: o.DryRun, Noun: strings.TrimSuffix(imp.kind, "s")}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrRejected, name, err)
		}
		rep.Rows++
		cols := map[string]string{}
		for c, i := range col {
			if i < len(rec) {
				cols[c] = strings.TrimSpace(rec[i])
			}
		}
		write, problems := imp.row(ctx, cols)
		if len(problems) > 0 {
			rep.Bad++
			rep.Problems = append(rep.Problems, Problem{Where: fmt.Sprintf("line %d", line), Reasons: strings.Join(problems, "; ")})
			continue
		}
		good = append(good, goodRow{line, write})
	}
	rep.Good = len(good)
	if rep.refused(o) {
		return rep, nil
	}
	sum := sha256.Sum256(body)
	return rep, imp.store(ctx, name, "import:"+imp.kind+":"+hex.EncodeToString(sum[:12]), good, rep)
}

// header reads the header row into column positions, refusing unknown
// columns and missing required ones.
func (imp *Work) header(r *csv.Reader, name string) (map[string]int, error) {
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the header row: %w", ErrRejected, name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(imp.required, h) && !slices.Contains(imp.optional, h) {
			return nil, fmt.Errorf("%w: %s: unknown column %q; the columns are %s and optionally %s", ErrRejected, name, h, strings.Join(imp.required, ", "), strings.Join(imp.optional, ", "))
		}
		col[h] = i
	}
	for _, c := range imp.required {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%w: %s: the header row lacks the column %s (required: %s)", ErrRejected, name, c, strings.Join(imp.required, ", "))
		}
	}
	return col, nil
}

// store writes the good rows in file order under fileKey and their line.
func (imp *Work) store(ctx context.Context, name, fileKey string, good []goodRow, rep *Report) error {
	replayed := 0
	for _, g := range good {
		id, again, err := g.write(ctx, fmt.Sprintf("%s:%d", fileKey, g.line))
		if err != nil {
			return fmt.Errorf("importing line %d of %s (%d row(s) before it are stored; run the import again to finish it): %w", g.line, name, rep.Imported+replayed, err)
		}
		if again {
			replayed++
		} else {
			rep.Imported++
		}
		if rep.FirstID == "" {
			rep.FirstID = id
		}
		rep.LastID = id
	}
	rep.Replayed = rep.Imported == 0
	return nil
}

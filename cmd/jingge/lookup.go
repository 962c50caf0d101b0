package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

func runLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return lookupCommand(ctx, args, stdout, stderr, openStore)
}

func lookupCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	fs := flag.NewFlagSet("jingge lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: jingge lookup LON LAT [--crs wgs84|gcj02|bd09] [--json] [--db URL]\n\nPrints the grid, police grid, station and people responsible for a point.\nFlags may come before or after the coordinates. Flags:")
		fs.PrintDefaults()
	}
	crsName := fs.String("crs", "wgs84", "coordinate `system` of LON LAT: wgs84 (GPS), gcj02 (Gaode/Amap, Tencent) or bd09 (Baidu)")
	asJSON := fs.Bool("json", false, "print the answer as JSON, as GET /api/v1/lookup returns it")
	dbURL := dbFlag(fs, "empty uses the bundled Lantian dataset")
	coords, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(coords) != 2 {
		fs.Usage()
		return fmt.Errorf("%w: lookup needs LON LAT (两个数: 经度 纬度), e.g. jingge lookup 109.317 34.152; got %d argument(s)", errUsage, len(coords))
	}
	pt, err := intake.ParseCoordinates(coords[0], coords[1])
	if err != nil {
		return fmt.Errorf("%w: 坐标无效 invalid coordinates: %s", errUsage, problemDetail(err))
	}
	from, err := crs.Parse(*crsName)
	if err != nil {
		return fmt.Errorf("%w: --crs: %v", errUsage, err)
	}

	// Progress chatter from opening the store would drown the answer.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := open(ctx, *dbURL, logger)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer store.Close()
	ds, err := store.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("reading the dataset: %w", err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return err
	}
	resp, err := locate.Lookup(ix, pt, from)
	if errors.Is(err, data.ErrNotFound) {
		return fmt.Errorf("不在任何网格内 outside every grid: %s", problemDetail(err))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(resp)
	}
	return printLookup(stdout, resp, from)
}

// problemDetail is the message of an API problem or of an application
// package's refusal meant for people, or the error's text.
func problemDetail(err error) string {
	var p *httpx.Problem
	if errors.As(err, &p) && p.Detail != "" {
		return p.Detail
	}
	var re *data.RequestError
	if errors.As(err, &re) && re.Message != "" {
		return re.Message
	}
	return err.Error()
}

// printLookup writes a summary for people, Chinese label first.
func printLookup(w io.Writer, r *locate.Response, from crs.CRS) error {
	var b strings.Builder
	fmt.Fprintf(&b, "坐标 Point: %s, %s (%s)", num(r.Query.Lon), num(r.Query.Lat), from.Label())
	if from != crs.WGS84 || r.Point.Datum != string(crs.WGS84) {
		fmt.Fprintf(&b, " = %.6f, %.6f (%s)", r.Point.Lon, r.Point.Lat, r.Point.Datum)
	}
	b.WriteString("\n")
	if g := r.CommunityGrid; g != nil {
		fmt.Fprintf(&b, "网格 Community grid: %s (%s)%s\n", g.Name, g.ID, townshipSuffix(g))
	} else {
		b.WriteString("网格 Community grid: 无 none (this police grid has no community grids)\n")
	}
	if g := r.PoliceGrid; g != nil {
		fmt.Fprintf(&b, "警格 Police grid: %s (%s)%s\n", g.Name, g.ID, townshipSuffix(g))
	}
	if s := r.Station; s != nil {
		fmt.Fprintf(&b, "派出所 Station: %s %s, 电话 phone %s\n", s.Name, s.NameEN, s.Phone)
	}
	if reg := r.Region; reg != nil {
		fmt.Fprintf(&b, "区域 Region: %s %s (%s)\n", reg.NameZH, reg.NameEN, reg.Blueprint)
	}
	b.WriteString("责任人 Responsible:\n")
	n := 0
	for _, g := range []*locate.Grid{r.PoliceGrid, r.CommunityGrid} {
		if g == nil {
			continue
		}
		for _, m := range g.Members {
			fmt.Fprintf(&b, "  %s %s, %s %s (%s %s)\n", m.Name, m.Phone, m.RoleZH, m.RoleEN, levelLabel(g.Level), g.Name)
			n++
		}
	}
	if n == 0 {
		b.WriteString("  无 none listed\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func townshipSuffix(g *locate.Grid) string {
	if g.TownshipName == "" {
		return ""
	}
	return ", " + g.TownshipName
}

func levelLabel(l geo.Level) string {
	if l == geo.PoliceLevel {
		return "警格"
	}
	return "网格"
}

// num writes a coordinate as the user typed it would read: no trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// parseInterleaved parses flags wherever they sit among the positional
// arguments (the flag package stops at the first positional) and returns
// the positionals in order. A negative number such as -33.9 is a
// positional, not a flag; "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-") || isNumber(a):
			positional = append(positional, a)
		default:
			flagArgs = append(flagArgs, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				flagArgs = append(flagArgs, args[i+1])
				i++
			}
		}
	}
	if err := fs.Parse(flagArgs); err != nil {
		return nil, err
	}
	return append(positional, fs.Args()...), nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

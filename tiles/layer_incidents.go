package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/tidwall/rtree"

	"jingge/geo"
)

// LayerIncidents is the name of the incidents layer.
const LayerIncidents = "incidents"

// IncidentWindow selects what a tile of the incidents layer draws: the
// incidents that occurred from From (inclusive) to To (exclusive), of the
// listed categories (every category when empty).
type IncidentWindow struct {
	From, To   time.Time
	Categories []geo.Category
}

// key names the window in caches: its bounds to the microsecond and its
// categories, sorted.
func (w IncidentWindow) key() string {
	cats := make([]string, len(w.Categories))
	for i, c := range w.Categories {
		cats[i] = string(c)
	}
	slices.Sort(cats)
	cats = slices.Compact(cats)
	return strconv.FormatInt(w.From.UnixMicro(), 10) + "-" + strconv.FormatInt(w.To.UnixMicro(), 10) + ":" + strings.Join(cats, ",")
}

func (w IncidentWindow) holds(inc *geo.Incident) bool {
	return !inc.OccurredAt.Before(w.From) && inc.OccurredAt.Before(w.To) &&
		(len(w.Categories) == 0 || slices.Contains(w.Categories, inc.Category))
}

// IncidentSource lists the incidents of a window, calling yield for each
// until it returns false. Locations are in the dataset's datum.
type IncidentSource func(ctx context.Context, w IncidentWindow, yield func(geo.Incident) bool) error

// IncidentLayerOptions configure an IncidentLayer. Zero fields take the
// defaults below.
type IncidentLayerOptions struct {
	// PointsFromZoom is the first zoom that draws single incidents; below
	// it incidents are drawn as clusters. Default 14.
	PointsFromZoom int
	// CellPixels is the side of a cluster cell, in tile pixels; it must
	// divide the extent (4096). Default 256, 16 × 16 cells a tile.
	CellPixels int
	// MaxPoints bounds the incidents one window may hold; a larger window
	// is refused with ErrWindowTooLarge. Default 500,000.
	MaxPoints int
	// Windows bounds how many windows are held in memory. Default 8.
	Windows int
	// MaxAge is how long a window's incidents are kept before they are read
	// again: how incidents written through another server reach this one
	// when nothing calls Invalidate. Default one minute.
	MaxAge time.Duration
	// CacheTiles bounds the encoded tiles kept. Default 4,096.
	CacheTiles int
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

// Defaults of IncidentLayerOptions.
const (
	DefaultIncidentPointsFromZoom = 14
	DefaultIncidentCellPixels     = 256
	DefaultIncidentMaxPoints      = 500_000
	DefaultIncidentWindowDays     = 30
)

// ErrWindowTooLarge is returned for a window holding more incidents than
// IncidentLayerOptions.MaxPoints.
var ErrWindowTooLarge = errors.New("tiles: the time window holds too many incidents to draw")

// IncidentLayer draws incidents: clusters with counts at low zoom, cut on
// a fixed grid of cells in tile space so that every incident is counted in
// exactly one cluster of exactly one tile at each zoom, and single
// incidents from PointsFromZoom on. Each window's incidents are read once
// from the source and held in memory; tiles are cached by window and
// address. Added puts committed incidents into the windows that hold them
// and drops exactly the cached tiles they fall in. It is safe for
// concurrent use.
type IncidentLayer struct {
	live *geo.Live
	src  IncidentSource
	opts IncidentLayerOptions

	mu      sync.Mutex
	windows map[string]*incidentSet
	order   []string // windows, least recently used first
	tiles   map[incidentTileKey]*Tile
}

// incidentSet is one window's incidents, in world units, indexed. Its
// fields other than mu, points and tree are written before ready is
// closed and only read after.
type incidentSet struct {
	w      IncidentWindow
	datum  string
	loaded time.Time
	ready  chan struct{} // closed once loaded
	err    error
	// stale (under the layer's mu) marks a set that missed incidents
	// added while it loaded; it is read again on next use.
	stale bool

	mu     sync.RWMutex // guards points and tree once ready
	points []incidentPoint
	tree   rtree.RTreeGN[float64, int32]
}

type incidentPoint struct {
	world    orb.Point
	id       string
	category geo.Category
	severity int
	at       time.Time
}

type incidentTileKey struct {
	window string
	tile   maptile.Tile
}

var _ Layer = (*IncidentLayer)(nil)

// NewIncidentLayer returns a layer drawing the incidents src lists, in the
// datum of the index live holds (WGS-84 when live is nil or empty).
func NewIncidentLayer(live *geo.Live, src IncidentSource, opts IncidentLayerOptions) *IncidentLayer {
	if opts.PointsFromZoom <= 0 {
		opts.PointsFromZoom = DefaultIncidentPointsFromZoom
	}
	if opts.CellPixels <= 0 || DefaultExtent%opts.CellPixels != 0 {
		opts.CellPixels = DefaultIncidentCellPixels
	}
	if opts.MaxPoints <= 0 {
		opts.MaxPoints = DefaultIncidentMaxPoints
	}
	if opts.Windows <= 0 {
		opts.Windows = 8
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = time.Minute
	}
	if opts.CacheTiles <= 0 {
		opts.CacheTiles = 4096
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &IncidentLayer{live: live, src: src, opts: opts, windows: map[string]*incidentSet{}, tiles: map[incidentTileKey]*Tile{}}
}

// Info implements Layer. The layer is volatile: the Service neither caches
// its tiles nor puts it in the combined tile; it keeps its own cache.
func (l *IncidentLayer) Info() LayerInfo {
	return LayerInfo{
		ID: LayerIncidents,
		Description: fmt.Sprintf("Incidents (警情): clusters with counts below zoom %d, single incidents from it on; by default the last %d days, else the window of ?from=&to=&category= on the tile URL",
			l.opts.PointsFromZoom, DefaultIncidentWindowDays),
		MinZoom: 0, MaxZoom: MaxZoom, Volatile: true,
		Fields: []Field{
			{Name: "count", Type: "Number", Description: "incidents in the cluster (1 for a single incident)"},
			{Name: "category", Type: "String", Description: "the category, or for a cluster its most frequent category"},
			{Name: "cluster", Type: "Boolean", Description: "true for a cluster"},
			{Name: "id", Type: "String", Description: "the incident's id (single incidents)"},
			{Name: "severity", Type: "Number", Description: "1 to 5 (single incidents)"},
			{Name: "occurred_at", Type: "String", Description: "RFC 3339, in the dataset's local time (single incidents)"},
		},
	}
}

// DefaultWindow is the window of a tile URL without one: the last
// DefaultIncidentWindowDays days, whole days in the dataset's local time,
// up to the end of today, so the window (and the cached tiles) change once
// a day.
func (l *IncidentLayer) DefaultWindow() IncidentWindow {
	zone := l.zone()
	y, m, d := l.opts.Now().In(zone).Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, zone)
	return IncidentWindow{From: end.AddDate(0, 0, -DefaultIncidentWindowDays), To: end}
}

// Render implements Layer: tile t of the default window.
func (l *IncidentLayer) Render(ctx context.Context, t maptile.Tile) (*mvt.Layer, error) {
	set, err := l.window(ctx, l.DefaultWindow())
	if err != nil {
		return nil, err
	}
	return l.render(set, t), nil
}

// Tile returns tile t of window w, encoded, from the cache when it holds
// it. A window holding more than MaxPoints incidents is ErrWindowTooLarge.
func (l *IncidentLayer) Tile(ctx context.Context, t maptile.Tile, w IncidentWindow) (*Tile, error) {
	set, err := l.window(ctx, w)
	if err != nil {
		return nil, err
	}
	key := incidentTileKey{window: w.key(), tile: t}
	l.mu.Lock()
	tile, ok := l.tiles[key]
	l.mu.Unlock()
	if ok {
		return tile, nil
	}
	var raw []byte
	if ml := l.render(set, t); ml != nil && len(ml.Features) > 0 {
		if raw, err = mvt.Marshal(mvt.Layers{ml}); err != nil {
			return nil, fmt.Errorf("tiles: encoding incidents of %s: %w", Path(t), err)
		}
	}
	if tile, err = NewTile(raw, DefaultGzipLevel); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The window may have changed (Added, reload) while this rendered;
	// only a tile of the set still in force is kept.
	if l.windows[key.window] == set {
		if len(l.tiles) >= l.opts.CacheTiles {
			for k := range l.tiles { // drop an arbitrary tenth
				delete(l.tiles, k)
				if len(l.tiles) < l.opts.CacheTiles*9/10 {
					break
				}
			}
		}
		l.tiles[key] = tile
	}
	return tile, nil
}

// window returns the loaded set of w, reading it from the source when it
// is missing, older than MaxAge or of another datum.
func (l *IncidentLayer) window(ctx context.Context, w IncidentWindow) (*incidentSet, error) {
	key := w.key()
	datum := ""
	if l.live != nil {
		if ix := l.live.Load(); ix != nil {
			datum = ix.Meta().Datum
		}
	}
	l.mu.Lock()
	set, ok := l.windows[key]
	fresh := ok
	if ok {
		select {
		case <-set.ready: // loaded: fields are safe to read
			fresh = !set.stale && set.datum == datum && l.opts.Now().Sub(set.loaded) < l.opts.MaxAge
		default: // loading: wait for it
		}
	}
	if !fresh {
		set = &incidentSet{w: w, datum: datum, ready: make(chan struct{})}
		l.installLocked(key, set)
		l.mu.Unlock()
		l.load(ctx, set)
	} else {
		l.touchLocked(key)
		l.mu.Unlock()
	}
	select {
	case <-set.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if set.err != nil {
		l.mu.Lock()
		if l.windows[key] == set {
			delete(l.windows, key)
		}
		l.mu.Unlock()
		return nil, set.err
	}
	return set, nil
}

// installLocked makes set the window under key, dropping that window's
// cached tiles and the least recently used window beyond the limit.
func (l *IncidentLayer) installLocked(key string, set *incidentSet) {
	if _, ok := l.windows[key]; !ok {
		l.order = append(l.order, key)
	}
	l.windows[key] = set
	l.touchLocked(key)
	for k := range l.tiles {
		if k.window == key {
			delete(l.tiles, k)
		}
	}
	for len(l.order) > l.opts.Windows {
		old := l.order[0]
		l.order = l.order[1:]
		delete(l.windows, old)
		for k := range l.tiles {
			if k.window == old {
				delete(l.tiles, k)
			}
		}
	}
}

func (l *IncidentLayer) touchLocked(key string) {
	if i := slices.Index(l.order, key); i >= 0 {
		l.order = append(append(l.order[:i:i], l.order[i+1:]...), key)
	}
}

// load reads set's incidents from the source and indexes them.
func (l *IncidentLayer) load(ctx context.Context, set *incidentSet) {
	defer close(set.ready)
	project := projector(set.datum)
	err := l.src(ctx, set.w, func(inc geo.Incident) bool {
		if len(set.points) == l.opts.MaxPoints {
			set.err = fmt.Errorf("%w: more than %d; narrow the window", ErrWindowTooLarge, l.opts.MaxPoints)
			return false
		}
		set.add(project, &inc)
		return true
	})
	if err != nil && set.err == nil {
		set.err = fmt.Errorf("tiles: reading incidents: %w", err)
	}
	set.loaded = l.opts.Now()
}

// add puts inc in s and returns its world position; s.mu must be held
// once s is shared.
func (s *incidentSet) add(project func(orb.Point) orb.Point, inc *geo.Incident) orb.Point {
	p := incidentPoint{world: project(inc.Location), id: inc.ID, category: inc.Category, severity: inc.Severity, at: inc.OccurredAt}
	s.tree.Insert(p.world, p.world, int32(len(s.points)))
	s.points = append(s.points, p)
	return p.world
}

// Added tells the layer of committed incidents (with their ids): each
// loaded window that holds one gets it, and the cached tiles it falls in,
// at every zoom, are dropped.
func (l *IncidentLayer) Added(incs []geo.Incident) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, set := range l.windows {
		select {
		case <-set.ready:
		default:
			// Still loading: it may or may not see these; read it again.
			set.stale = true
			continue
		}
		if set.err != nil {
			continue
		}
		project := projector(set.datum)
		stale := map[maptile.Tile]bool{}
		set.mu.Lock()
		for i := range incs {
			if !set.w.holds(&incs[i]) {
				continue
			}
			w := set.add(project, &incs[i])
			for z := maptile.Zoom(0); z <= MaxZoom; z++ {
				stale[tileOfWorld(w, z)] = true
			}
		}
		set.mu.Unlock()
		if len(stale) == 0 {
			continue
		}
		for k := range l.tiles {
			if k.window == key && stale[k.tile] {
				delete(l.tiles, k)
			}
		}
	}
}

// Invalidate makes every window be read again from the source on next use
// and drops every cached tile: for incidents the layer cannot place,
// those another server added (see data.IncidentWatcher).
func (l *IncidentLayer) Invalidate() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, set := range l.windows {
		set.stale = true
	}
	clear(l.tiles)
}

// tileOfWorld is the tile of zoom z that draws world point w: the one
// holding its pixel, rounded as Frame rounds it, so a point within half a
// pixel of an edge is in the same tile here as in render.
func tileOfWorld(w orb.Point, z maptile.Zoom) maptile.Tile {
	n := math.Exp2(float64(z))
	scale := float64(DefaultExtent) * n
	x := min(max(math.Floor(math.Round(w[0]*scale)/DefaultExtent), 0), n-1)
	y := min(max(math.Floor(math.Round(w[1]*scale)/DefaultExtent), 0), n-1)
	return maptile.Tile{X: uint32(x), Y: uint32(y), Z: z}
}

// render draws set's incidents in tile t.
func (l *IncidentLayer) render(set *incidentSet, t maptile.Tile) *mvt.Layer {
	set.mu.RLock()
	defer set.mu.RUnlock()
	f := Frame{Tile: t, Extent: DefaultExtent}
	wb := f.worldBound(0)
	out := &mvt.Layer{Name: LayerIncidents, Version: 2, Extent: DefaultExtent}
	inTile := func(px orb.Point) bool {
		return px[0] >= 0 && px[1] >= 0 && px[0] < DefaultExtent && px[1] < DefaultExtent
	}
	if int(t.Z) >= l.opts.PointsFromZoom {
		var hits []int32
		set.tree.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
			hits = append(hits, i)
			return true
		})
		slices.Sort(hits) // in load order, so the same tile encodes the same bytes
		zone := l.zone()
		for _, i := range hits {
			p := &set.points[i]
			px := f.worldPixel(p.world)
			if !inTile(px) {
				continue
			}
			out.Features = append(out.Features, &geojson.Feature{Geometry: px, Properties: geojson.Properties{
				"count": 1, "cluster": false, "id": p.id, "category": string(p.category), "severity": p.severity,
				"occurred_at": p.at.In(zone).Format(time.RFC3339),
			}})
		}
		return out
	}
	type cell struct {
		n          int
		sumX, sumY float64
		byCat      map[geo.Category]int
	}
	cells := map[[2]int]*cell{}
	size := float64(l.opts.CellPixels)
	set.tree.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		p := &set.points[i]
		px := f.worldPixel(p.world)
		if !inTile(px) {
			return true
		}
		k := [2]int{int(px[0] / size), int(px[1] / size)}
		c := cells[k]
		if c == nil {
			c = &cell{byCat: map[geo.Category]int{}}
			cells[k] = c
		}
		c.n++
		c.sumX += px[0]
		c.sumY += px[1]
		c.byCat[p.category]++
		return true
	})
	keys := make([][2]int, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if a[1] != b[1] {
			return a[1] - b[1]
		}
		return a[0] - b[0]
	})
	for _, k := range keys {
		c := cells[k]
		var top geo.Category
		for cat, n := range c.byCat { // the most frequent; ties to the smaller id
			if n > c.byCat[top] || n == c.byCat[top] && cat < top {
				top = cat
			}
		}
		pt := orb.Point{math.Round(c.sumX / float64(c.n)), math.Round(c.sumY / float64(c.n))}
		out.Features = append(out.Features, &geojson.Feature{Geometry: pt, Properties: geojson.Properties{
			"count": c.n, "cluster": true, "category": string(top),
		}})
	}
	return out
}

// zone is the local time of the dataset live holds (geo.Index.Location):
// where days start and in which times are written; UTC without one.
func (l *IncidentLayer) zone() *time.Location {
	if l.live != nil {
		if ix := l.live.Load(); ix != nil {
			return ix.Location()
		}
	}
	return time.UTC
}

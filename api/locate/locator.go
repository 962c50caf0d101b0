package locate

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// Locator answers lookups against one index. It is built once per index
// (New) and never changed, so any number of goroutines may use it.
type Locator struct {
	ix        *geo.Index
	datum     crs.CRS
	datumName string // as the dataset spells it, "wgs84" when unset
	bounds    orb.Bound
	hasGrids  bool
	gridRefs  map[string]*Ref
	stRefs    map[string]*Ref
	townships map[string]string // code -> name
}

// New derives a Locator from ix. It fails only when the dataset names a
// datum crs does not know, which is a fault of the dataset, not of a
// client.
func New(ix *geo.Index) (*Locator, error) {
	ds := ix.Dataset()
	name := ds.Meta.Datum
	if name == "" {
		name = string(crs.WGS84)
	}
	datum, err := crs.Parse(name)
	if err != nil {
		return nil, fmt.Errorf("locate: dataset %q: datum: %w", ds.Meta.Name, err)
	}
	l := &Locator{
		ix: ix, datum: datum, datumName: name,
		gridRefs:  make(map[string]*Ref, len(ds.Grids)),
		stRefs:    make(map[string]*Ref, len(ds.Stations)),
		townships: make(map[string]string, len(ds.Townships)),
	}
	for _, t := range ds.Townships {
		l.townships[t.Code] = t.Name
	}
	for _, st := range ds.Stations {
		l.stRefs[st.ID] = &Ref{ID: st.ID, Name: st.Name}
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		l.gridRefs[g.ID] = &Ref{ID: g.ID, Name: g.Name}
		b := g.Geometry.Bound()
		if l.hasGrids {
			l.bounds = l.bounds.Union(b)
		} else {
			l.bounds, l.hasGrids = b, true
		}
	}
	return l, nil
}

// Index is the index l answers from.
func (l *Locator) Index() *geo.Index { return l.ix }

// Datum is the dataset's datum, the one every answer is computed in.
func (l *Locator) Datum() crs.CRS { return l.datum }

// DatumName is the datum as the dataset spells it ("wgs84" when unset).
func (l *Locator) DatumName() string { return l.datumName }

// Bounds is the bounding box of every grid, in the datum, and whether
// the dataset has any grid.
func (l *Locator) Bounds() (orb.Bound, bool) { return l.bounds, l.hasGrids }

// GridRefs names every grid by id. The map is shared: callers must not
// change it.
func (l *Locator) GridRefs() map[string]*Ref { return l.gridRefs }

// StationRefs names every station by id. The map is shared: callers must
// not change it.
func (l *Locator) StationRefs() map[string]*Ref { return l.stRefs }

// Townships maps township codes to their names. The map is shared:
// callers must not change it.
func (l *Locator) Townships() map[string]string { return l.townships }

// ToDatum converts p from c into the dataset's datum.
func (l *Locator) ToDatum(p orb.Point, c crs.CRS) orb.Point { return crs.Convert(p, c, l.datum) }

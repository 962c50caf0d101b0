package pack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"jingge/geo"
)

// CountyMaxGzipBytes is the threshold of the whole county: when the
// county's pack (with full phone numbers, the larger form) is at most this
// many bytes gzipped, every station's pack is the county's, which answers
// every point of it; above it a station's pack holds the station and its
// neighbours (stations whose grids share a vertex with it). It is the
// issue's goal for one station's pack, so a county that fits costs a phone
// no more than the goal allows.
const CountyMaxGzipBytes = 300_000

// ErrStationRequired is Get's refusal of a pack asked for no station when
// the county is too large for one pack.
var ErrStationRequired = errors.New("pack: the county is too large for one pack; a station is required")

// Body is one encoded pack, ready to send: JSON with a final newline.
type Body struct {
	JSON []byte
	// Version is Pack.Version, the answer's ETag without its quotes.
	Version string
}

// Cache builds the packs of one index once each: per scope (the county,
// or one station's area) and per phone form. It is safe for concurrent
// use; the index is never changed.
type Cache struct {
	ix        *geo.Index
	datum     string
	maskPhone func(string) string
	countyMax int
	townships map[string]string // code -> name

	once sync.Once
	// Derived once: the dataset's fingerprint, the scale, whether the
	// county fits, each station's neighbours.
	fingerprint string
	scale       int64
	county      bool
	neighbours  map[string][]string
	err         error

	mu     sync.Mutex
	bodies map[key]*Body
}

type key struct {
	scope      string // "" for the county, else the station id
	station    string
	fullPhones bool
}

// Options configure a Cache.
type Options struct {
	// Datum is the dataset's datum as packs name it ("wgs84", ...).
	Datum string
	// MaskPhone hides a phone number for callers who may not read it in
	// full.
	MaskPhone func(string) string
	// CountyMaxGzipBytes replaces CountyMaxGzipBytes when above 0.
	CountyMaxGzipBytes int
}

// NewCache returns the cache of ix's packs. Nothing is built until it is
// asked for.
func NewCache(ix *geo.Index, opts Options) *Cache {
	ds := ix.Dataset()
	c := &Cache{ix: ix, datum: opts.Datum, maskPhone: opts.MaskPhone, countyMax: opts.CountyMaxGzipBytes,
		townships: make(map[string]string, len(ds.Townships)), bodies: map[key]*Body{}}
	if c.countyMax <= 0 {
		c.countyMax = CountyMaxGzipBytes
	}
	for _, t := range ds.Townships {
		c.townships[t.Code] = t.Name
	}
	return c
}

// prepare derives what every pack of the index shares.
func (c *Cache) prepare() error {
	c.once.Do(func() {
		ds := c.ix.Dataset()
		c.scale = Scale(ds)
		c.neighbours = stationNeighbours(c.ix)
		county, err := json.Marshal(c.build("", c.scale, true, nil))
		if err != nil {
			c.err = fmt.Errorf("pack: %w", err)
			return
		}
		sum := sha256.Sum256(county)
		c.fingerprint = hex.EncodeToString(sum[:])
		c.county = gzipSize(county) <= c.countyMax
	})
	return c.err
}

// Get returns the pack asked for station ("" for none) with phone numbers
// in full or masked. A pack asked for no station is the county's when it
// fits; otherwise Get refuses it with ErrStationRequired. station must be
// a station of the index.
func (c *Cache) Get(station string, fullPhones bool) (*Body, error) {
	if err := c.prepare(); err != nil {
		return nil, err
	}
	if station == "" && !c.county {
		return nil, ErrStationRequired
	}
	k := key{station: station, fullPhones: fullPhones}
	if !c.county {
		k.scope = station
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.bodies[k]; ok {
		return b, nil
	}
	var scope []string
	if !c.county {
		scope = append([]string{station}, c.neighbours[station]...)
	}
	p := c.build(station, c.scale, fullPhones, scope)
	phones := "masked"
	if fullPhones {
		phones = "full"
	}
	sum := sha256.Sum256([]byte(c.fingerprint + "\x00" + k.scope + "\x00" + station + "\x00" + phones))
	p.Version = hex.EncodeToString(sum[:10])
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	b := &Body{JSON: buf.Bytes(), Version: p.Version}
	c.bodies[k] = b
	return b, nil
}

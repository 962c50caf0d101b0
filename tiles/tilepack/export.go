package tilepack

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"jingge/tiles"
)

// Options says which tiles Export writes. Zero fields take defaults.
type Options struct {
	// MinZoom and MaxZoom bound the zooms written (both included).
	MinZoom, MaxZoom int
	// Bound limits the tiles to those meeting this longitude/latitude
	// box; the zero Bound is the grids' whole extent.
	Bound orb.Bound
	// Layers names the index layers each tile holds, in any order; they
	// are written in the order the combined tile holds them. Empty means
	// the combined tile, exactly /tiles/{z}/{x}/{y}.mvt; one layer is
	// exactly /tiles/{layer}/{z}/{x}/{y}.mvt; several are those layers'
	// tiles one after the other, as the combined tile is made.
	Layers []string
	// Workers render tiles at once; zero means one per processor.
	Workers int
	// Progress, when set, is called from Export's goroutine after each
	// tile is rendered (and written, when it is not empty).
	Progress func(Progress)
}

// Progress is how far an export is.
type Progress struct {
	// Done tiles of Total are rendered; Written of them held features and
	// went into the file, with Bytes of compressed tile data.
	Done, Total, Written int
	Bytes                int64
	// Zoom is the zoom of the tile just rendered.
	Zoom int
	// Elapsed is the time since Export started.
	Elapsed time.Duration
}

// Summary is what an export wrote: the final Progress.
type Summary = Progress

// Writer receives the tiles of an export. WriteTile is called from one
// goroutine at a time, with tiles in no particular order; data is the
// gzip-compressed MVT and is not kept by the caller. Finish completes the
// file with its metadata; Abort removes what was written after an error.
type Writer interface {
	WriteTile(t maptile.Tile, data []byte) error
	Finish(m Metadata) error
	Abort() error
}

// ErrNoTiles fails an export none of whose tiles holds a feature: a
// box beside the grids, or layers with nothing at the zooms asked for.
var ErrNoTiles = errors.New("tilepack: no tile holds any feature, so there is nothing to write; widen the box or the zooms, or choose other layers")

// LayerError reports a layer name that is not an index layer.
type LayerError struct {
	Name   string
	Layers []string // the index layers there are
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("tilepack: there is no tile layer %q to export; the layers are %s", e.Name, strings.Join(e.Layers, ", "))
}

// Export writes the tiles of svc's index in force chosen by opts to w and
// finishes it; on any error (including ctx's) it aborts w. It fails with
// tiles.ErrNoIndex before an index is published and with a *LayerError
// for an unknown layer.
func Export(ctx context.Context, svc *tiles.Service, w Writer, opts Options) (sum Summary, err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, w.Abort())
		}
	}()
	start := time.Now()
	src := svc.Source()
	if src == nil {
		return sum, tiles.ErrNoIndex
	}
	names, err := layerNames(src, opts.Layers)
	if err != nil {
		return sum, err
	}
	meta, err := metadataFor(svc, names, opts)
	if err != nil {
		return sum, err
	}
	addrs := src.Addresses(opts.MinZoom, opts.MaxZoom, opts.Bound)
	sum.Total = len(addrs)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		t    maptile.Tile
		data []byte
		err  error
	}
	jobs := make(chan maptile.Tile)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				data, err := render(ctx, svc, names, t)
				select {
				case results <- result{t, data, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, t := range addrs {
			select {
			case jobs <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		if r.err != nil {
			return sum, fmt.Errorf("tilepack: tile %s: %w", tiles.Path(r.t), r.err)
		}
		if r.data != nil {
			if err := w.WriteTile(r.t, r.data); err != nil {
				return sum, err
			}
			sum.Written++
			sum.Bytes += int64(len(r.data))
		}
		sum.Done++
		sum.Zoom = int(r.t.Z)
		sum.Elapsed = time.Since(start)
		if opts.Progress != nil {
			opts.Progress(sum)
		}
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if sum.Done != sum.Total {
		return sum, fmt.Errorf("tilepack: rendered %d of %d tiles", sum.Done, sum.Total)
	}
	if sum.Written == 0 {
		return sum, ErrNoTiles
	}
	if err := w.Finish(meta); err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// render returns tile t of the named layers (nil for the combined tile),
// gzip-compressed, or nil when it holds no feature.
func render(ctx context.Context, svc *tiles.Service, names []string, t maptile.Tile) ([]byte, error) {
	if len(names) <= 1 {
		name := ""
		if len(names) == 1 {
			name = names[0]
		}
		tile, err := svc.Tile(ctx, name, t)
		if err != nil || tile.Empty() {
			return nil, err
		}
		return tile.Gzip, nil
	}
	var raw []byte
	for _, name := range names {
		tile, err := svc.Tile(ctx, name, t)
		if err != nil {
			return nil, err
		}
		if tile.Empty() {
			continue
		}
		b, err := tile.Raw()
		if err != nil {
			return nil, err
		}
		raw = append(raw, b...)
	}
	tile, err := tiles.NewTile(raw, tiles.DefaultGzipLevel)
	if err != nil || tile.Empty() {
		return nil, err
	}
	return tile.Gzip, nil
}

// layerNames checks the requested layers and puts them in the combined
// tile's order, without repeats; nil asks for the combined tile.
func layerNames(src *tiles.Source, want []string) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	var all []string
	for _, l := range src.Layers() {
		all = append(all, l.Info().ID)
	}
	for _, name := range want {
		if !slices.Contains(all, name) {
			return nil, &LayerError{Name: name, Layers: all}
		}
	}
	var out []string
	for _, name := range all {
		if slices.Contains(want, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

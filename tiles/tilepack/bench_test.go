package tilepack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/tiles"
)

// discard is a Writer that keeps nothing: an export into it is the
// rendering alone, the baseline the file formats are measured against.
type discard struct{}

func (discard) WriteTile(maptile.Tile, []byte) error { return nil }
func (discard) Finish(Metadata) error                { return nil }
func (discard) Abort() error                         { return nil }

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExportCounty exports the county's combined tiles from z6 to z14
// and to z16, each round in turn (in a rotating order): rendered into nothing (the tiles the
// server would render in process, on the same workers: the baseline),
// into MBTiles and into PMTiles. Each starts from a new Service, so every
// zoom's arcs are simplified again as after a server start. It reports
// each kind's wall and CPU seconds per export (CPU time is what other
// work on a shared machine does not stretch), the files' sizes, and the
// ratios of each format to the baseline.
func BenchmarkExportCounty(b *testing.B) {
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	for _, maxZoom := range []int{14, 16} {
		b.Run(fmt.Sprintf("z6-z%d", maxZoom), func(b *testing.B) {
			kinds := []string{"render", "mbtiles", "pmtiles"}
			wall := map[string]time.Duration{}
			cpu := map[string]time.Duration{}
			size := map[string]int64{}
			var sum Summary
			dir := b.TempDir()
			round := 0
			for b.Loop() {
				// Each round starts with another kind, so none always
				// pays for what the first export of a process warms up.
				round++
				for i := range kinds {
					kind := kinds[(i+round)%len(kinds)]
					live := new(geo.Live)
					live.Store(ix)
					svc := tiles.NewService(live, tiles.ServiceOptions{CacheBytes: -1})
					path := filepath.Join(dir, "county."+kind)
					var w Writer = discard{}
					switch kind {
					case "mbtiles":
						w, err = CreateMBTiles(path)
					case "pmtiles":
						w, err = CreatePMTiles(path)
					}
					if err != nil {
						b.Fatal(err)
					}
					start, startCPU := time.Now(), cpuTime(b)
					sum, err = Export(context.Background(), svc, w, Options{MinZoom: 6, MaxZoom: maxZoom})
					if err != nil {
						b.Fatal(err)
					}
					wall[kind] += time.Since(start)
					cpu[kind] += cpuTime(b) - startCPU
					if kind != "render" {
						st, err := os.Stat(path)
						if err != nil {
							b.Fatal(err)
						}
						size[kind] = st.Size()
					}
				}
			}
			n := float64(b.N)
			for _, kind := range kinds {
				b.ReportMetric(wall[kind].Seconds()/n, kind+"-s")
				b.ReportMetric(cpu[kind].Seconds()/n, kind+"-cpu-s")
				if kind != "render" {
					b.ReportMetric(float64(size[kind])/(1<<20), kind+"-MiB")
					b.ReportMetric(float64(wall[kind])/float64(wall["render"]), kind+"/render")
					b.ReportMetric(float64(cpu[kind])/float64(cpu["render"]), kind+"/render-cpu")
				}
			}
			b.ReportMetric(float64(sum.Written), "tiles")
			b.ReportMetric(float64(sum.Total), "addresses")
			b.ReportMetric(float64(sum.Bytes)/(1<<20), "tile-MiB")
		})
	}
}

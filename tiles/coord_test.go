package tiles

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb/maptile"
)

func TestParseTile(t *testing.T) {
	tests := []struct {
		name       string
		z, x, y, e string
		want       maptile.Tile
		badParam   string
	}{
		{"origin", "0", "0", "0", "mvt", maptile.New(0, 0, 0), ""},
		{"pbf with dot", "12", "3291", "1625", ".pbf", maptile.New(3291, 1625, 12), ""},
		{"deepest corner", "22", "4194303", "4194303", "mvt", maptile.New(4194303, 4194303, 22), ""},
		{"zoom too deep", "23", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"negative zoom", "-1", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"zoom with plus", "+1", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"zoom leading zero", "08", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"zoom empty", "", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"zoom huge", "99999999999999999999", "0", "0", "mvt", maptile.Tile{}, "z"},
		{"x past the edge", "3", "8", "0", "mvt", maptile.Tile{}, "x"},
		{"y past the edge", "3", "7", "8", "mvt", maptile.Tile{}, "y"},
		{"x not a number", "3", "a", "0", "mvt", maptile.Tile{}, "x"},
		{"y fraction", "3", "1", "1.5", "mvt", maptile.Tile{}, "y"},
		{"y with space", "3", "1", " 1", "mvt", maptile.Tile{}, "y"},
		{"png", "3", "1", "1", "png", maptile.Tile{}, "ext"},
		{"no extension", "3", "1", "1", "", maptile.Tile{}, "ext"},
		{"upper case", "3", "1", "1", "MVT", maptile.Tile{}, "ext"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTile(tc.z, tc.x, tc.y, tc.e)
			if tc.badParam == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseTile = %v, %v; want %v", got, err, tc.want)
				}
				return
			}
			var ce *CoordError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidTile) {
				t.Fatalf("error %v, want a *CoordError wrapping ErrInvalidTile", err)
			}
			if ce.Param != tc.badParam {
				t.Errorf("param %q, want %q (%v)", ce.Param, tc.badParam, err)
			}
			if !strings.HasPrefix(err.Error(), "tiles: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	for _, p := range []string{"", "1/2", "1/2/3/4.mvt", "1/0/0", "a/b/c.mvt", "1/0/0.mvt.gz"} {
		if _, err := ParsePath(p); !errors.Is(err, ErrInvalidTile) {
			t.Errorf("ParsePath(%q) = %v, want ErrInvalidTile", p, err)
		}
	}
	got, err := ParsePath("14/13164/6502.pbf")
	if err != nil || got != maptile.New(13164, 6502, 14) {
		t.Fatalf("ParsePath = %v, %v", got, err)
	}
	if Path(got) != "14/13164/6502.mvt" {
		t.Errorf("Path = %q", Path(got))
	}
}

// FuzzParsePath checks the parser never panics, rejects with a
// *CoordError, and accepts only canonical addresses of valid tiles.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"0/0/0.mvt", "22/4194303/1.pbf", "23/0/0.mvt", "1/2/3", "01/0/0.mvt", "3/-1/0.mvt", "3/1/1.png", "//.", "1/1/1.mvt/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tile, err := ParsePath(s)
		if err != nil {
			var ce *CoordError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidTile) || ce.Reason == "" {
				t.Fatalf("ParsePath(%q): error %v is not a *CoordError", s, err)
			}
			return
		}
		if !tile.Valid() || tile.Z > MaxZoom {
			t.Fatalf("ParsePath(%q) = %v, not a valid tile", s, tile)
		}
		ext := s[strings.LastIndex(s, ".")+1:]
		if want := fmt.Sprintf("%d/%d/%d.%s", tile.Z, tile.X, tile.Y, ext); want != s {
			t.Fatalf("ParsePath(%q) = %v, but its canonical address is %q", s, tile, want)
		}
	})
}

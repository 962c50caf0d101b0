package geo

import "fmt"

// Terrain is one of the county's four policing regions ("四警蓝图"). Its
// value is the English id used in data files and the API.
type Terrain string

// The four terrain regions of Lantian County.
const (
	Hill     Terrain = "hill"     // 岭中: loess ridge, huge areas, scattered residents
	Plateau  Terrain = "plateau"  // 塬上: the White Deer Plain and the tourist plateaus
	Plain    Terrain = "plain"    // 川下: the river-valley plain around the county seat
	Mountain Terrain = "mountain" // 山间: the Qinling mountains in the south and east
)

// Terrains lists every terrain region in the order the bureau's plan names them.
var Terrains = []Terrain{Hill, Plateau, Plain, Mountain}

// Region describes a terrain region for people.
type Region struct {
	ID        Terrain `json:"id"`
	NameZH    string  `json:"name_zh"`
	NameEN    string  `json:"name_en"`
	Blueprint string  `json:"blueprint"` // the plan's slogan for the region, e.g. 岭中“警”致
	// Difficulty is a relative travel and workload factor (plain = 1); planners
	// may override it.
	Difficulty float64 `json:"difficulty"`
}

var regions = map[Terrain]Region{
	Hill:     {ID: Hill, NameZH: "岭中", NameEN: "Hill / loess ridge", Blueprint: "岭中“警”致", Difficulty: 1.4},
	Plateau:  {ID: Plateau, NameZH: "塬上", NameEN: "Plateau", Blueprint: "塬上“警”色", Difficulty: 1.2},
	Plain:    {ID: Plain, NameZH: "川下", NameEN: "River-valley plain", Blueprint: "川下“警”象", Difficulty: 1.0},
	Mountain: {ID: Mountain, NameZH: "山间", NameEN: "Mountain", Blueprint: "山间“警”风", Difficulty: 1.8},
}

// Valid reports whether t is one of the four known terrain regions.
func (t Terrain) Valid() bool {
	_, ok := regions[t]
	return ok
}

// Region returns the description of t; ok is false for an unknown terrain.
func (t Terrain) Region() (r Region, ok bool) {
	r, ok = regions[t]
	return r, ok
}

// ParseTerrain accepts an English id ("plain") or a Chinese label ("川下").
func ParseTerrain(s string) (Terrain, error) {
	for _, t := range Terrains {
		if s == string(t) || s == regions[t].NameZH {
			return t, nil
		}
	}
	return "", fmt.Errorf("geo: unknown terrain %q (want one of hill, plateau, plain, mountain or 岭中, 塬上, 川下, 山间)", s)
}

package overlays

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

func TestRefusal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		create bool
		kind   error
		want   string
	}{
		{"a create over one in force", fmt.Errorf("store: %w", data.ErrConflict), true, data.ErrConflict, "an area with id \"a1\" is in force already; PUT /api/v1/areas/a1 changes it"},
		{"a stale base version", fmt.Errorf("store: %w", data.ErrConflict), false, data.ErrConflict, "area a1 has changed since version 3"},
		{"an unknown id", fmt.Errorf("store: %w", data.ErrNotFound), false, data.ErrNotFound, "GET /api/v1/areas lists them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := refusal(tc.err, Areas, "a1", tc.create, 3)
			var re *data.RequestError
			if !errors.As(err, &re) || !errors.Is(err, tc.kind) || !strings.Contains(re.Message, tc.want) {
				t.Errorf("refusal %v, want %v saying %q", err, tc.kind, tc.want)
			}
		})
	}
	if other := errors.New("disk full"); refusal(other, Areas, "a1", false, 0) != other {
		t.Errorf("an error of no known kind was reworded")
	}
}

func TestPutAreaNamesEveryFault(t *testing.T) {
	ix, err := geo.NewIndex(apitest.Small())
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Index: func() (*geo.Index, crs.CRS, error) { return ix, crs.WGS84, nil }})
	body := `{"type": "Fea", "geometry": {"type": "Point", "coordinates": [109.3, 34.1]}, "properties": {"name": "", "kind": "x", "station": "nowhere"}}`
	_, err = s.PutArea(context.Background(), []byte(body), "", true, "test")
	var re *data.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("err %v, want a refusal", err)
	}
	var names []string
	for _, p := range re.Params {
		names = append(names, p.Name)
	}
	want := "type id properties.name properties.kind properties.station geometry"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("faults named %q, want %q", got, want)
	}
}

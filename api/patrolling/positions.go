package patrolling

import (
	"context"
	"math"
	"time"

	"jingge/geo"
	"jingge/geo/patrol"
)

// A wall display that polled GET /api/v1/patrols every few seconds read
// every officer every time, and wrote an audit row per poll. The positions
// stream sends every officer once when it opens, then only the officers
// whose position, grid or status changed, a frame every PositionInterval
// at most; it is one request, so one audit entry however long it runs.

// PatrolFrame is the data of one event named "positions" on
// GET /api/v1/patrols/stream.
type PatrolFrame struct {
	// Full is set on the first frame of a stream: Officers is then every
	// officer on patrol, and replaces whatever the client held (a client
	// that reconnects gets a full frame again).
	Full bool `json:"full"`
	// At is the server's clock when the frame was made; a client adds the
	// time since then to a position's age.
	At time.Time `json:"at"`
	// Officers are the officers that changed since the previous frame.
	Officers []PatrolPosition `json:"officers"`
	// Gone are officers no longer on patrol (e.g. no longer members after
	// a data reload): drop them.
	Gone []string `json:"gone,omitempty"`
}

// PatrolPosition is one officer in a PatrolFrame: where they are (WGS-84,
// to about 0.1 m), in which grid, and their status. The names (name, role,
// role_zh, station, station_name), which do not change while the stream
// lives, are sent only the first time the stream sends the officer. An
// absent grid means the officer is outside every grid.
type PatrolPosition struct {
	Officer     string    `json:"officer"`
	Lon         float64   `json:"lon"`
	Lat         float64   `json:"lat"`
	Name        string    `json:"name,omitempty"`
	Role        geo.Role  `json:"role,omitempty"`
	RoleZH      string    `json:"role_zh,omitempty"`
	Station     string    `json:"station,omitempty"`
	StationName string    `json:"station_name,omitempty"`
	Grid        string    `json:"grid,omitempty"`
	GridName    string    `json:"grid_name,omitempty"`
	PoliceGrid  string    `json:"police_grid,omitempty"`
	At          time.Time `json:"at"`
	SpeedMPS    *float64  `json:"speed_mps,omitempty"`
	HeadingDeg  *float64  `json:"heading_deg,omitempty"`
	Status      string    `json:"status"`
	InArea      bool      `json:"in_area"`
}

// positionKey is what makes an officer worth sending again.
type positionKey struct {
	lon, lat float64
	at       time.Time
	grid     string
	status   string
	inArea   bool
}

// positionDiff remembers what one stream last sent of each officer.
type positionDiff struct {
	sent map[string]positionKey
}

// frame returns the officers of states that changed since the last frame
// (all of them when full) and those no longer there.
func (s *Service) frame(d *positionDiff, states []patrol.State, now time.Time, full bool) PatrolFrame {
	n := s.names()
	f := PatrolFrame{Full: full, At: now.UTC(), Officers: []PatrolPosition{}}
	seen := make(map[string]bool, len(states))
	for _, st := range states {
		seen[st.Officer] = true
		pr := s.Properties(n, st, now)
		ll := n.ToWGS84(st.Last.Location)
		key := positionKey{lon: round6(ll[0]), lat: round6(ll[1]), at: pr.At, grid: pr.Grid, status: pr.Status, inArea: pr.InArea}
		old, known := d.sent[st.Officer]
		if known && old == key && !full {
			continue
		}
		pos := PatrolPosition{
			Officer: st.Officer, Lon: key.lon, Lat: key.lat, Grid: pr.Grid, GridName: pr.GridName, PoliceGrid: pr.PoliceGrid,
			At: pr.At, SpeedMPS: roundPtr(pr.SpeedMPS, 10), HeadingDeg: roundPtr(pr.HeadingDeg, 1), Status: pr.Status, InArea: pr.InArea,
		}
		if !known || full {
			pos.Name, pos.Role, pos.RoleZH, pos.Station, pos.StationName = pr.Name, pr.Role, pr.RoleZH, pr.Station, pr.StationName
		}
		d.sent[st.Officer] = key
		f.Officers = append(f.Officers, pos)
	}
	for id := range d.sent {
		if !seen[id] {
			delete(d.sent, id)
			if !full {
				f.Gone = append(f.Gone, id)
			}
		}
	}
	return f
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// roundPtr rounds *p to 1/per; nil stays nil.
func roundPtr(p *float64, per float64) *float64 {
	if p == nil {
		return nil
	}
	r := math.Round(*p*per) / per
	return &r
}

// StreamPositions sends a full frame of every officer, then a frame of
// the officers that changed every PositionInterval (none when nothing
// did), and heartbeats, until the client leaves (ctx), the server shuts
// down or guard ends the stream (an event named end says why, as on the
// event stream), and says why it ended as StreamEvents does. The hub's
// events are not sent here; sub tells the stream when the server shuts
// down. The stream leaves the hub when it returns.
func (s *Service) StreamPositions(ctx context.Context, sink Sink, sub *Subscriber, guard Guard) error {
	defer func() { s.hub.Unsubscribe(sub) }()
	d := &positionDiff{sent: map[string]positionKey{}}
	if err := sink.Named("positions", s.frame(d, s.board.States(), s.opts.Now(), true)); err != nil {
		return err
	}
	tick := time.NewTicker(s.opts.PositionInterval)
	defer tick.Stop()
	heartbeat := time.NewTicker(s.opts.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-guard.C:
			if end := guard.Check(ctx); end != nil {
				_ = sink.Named("end", end)
				return ErrStreamEnded
			}
		case <-heartbeat.C:
			if err := sink.Comment("heartbeat"); err != nil {
				return err
			}
		case _, ok := <-sub.ch:
			if ok {
				continue
			}
			if !sub.lagged {
				_ = sink.Comment(commentClosing)
				return ErrStreamClosing
			}
			// Events came faster than this stream read them; only the
			// shutdown signal matters here, so take a new place.
			var again bool
			if sub, again = s.hub.Subscribe(); !again {
				_ = sink.Comment(commentClosing)
				return ErrStreamClosing
			}
		case <-tick.C:
			f := s.frame(d, s.board.States(), s.opts.Now(), false)
			if len(f.Officers) == 0 && len(f.Gone) == 0 {
				continue
			}
			if err := sink.Named("positions", f); err != nil {
				return err
			}
		}
	}
}

package patrolling

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// PingResponse answers POST /api/v1/patrols/pings once the pings are
// committed.
type PingResponse struct {
	Accepted int `json:"accepted"`
	// Outside counts accepted pings that lie in no grid.
	Outside int `json:"outside"`
	// Replayed is set when the Idempotency-Key was committed before: the
	// pings were not stored again, and Events is empty.
	Replayed bool `json:"replayed"`
	// Events are the geofence events the pings caused.
	Events []Event `json:"events"`
}

// Check checks every ping of b against the officers of n's index and the
// server's clock, and returns them in the dataset's datum (toDatum
// converts a ping's lon/lat from the batch's coordinate system). It
// refuses the whole batch when any ping is bad, naming the bad members of
// up to intake.MaxReported of them.
func (s *Service) Check(b *Batch, n Names, toDatum func(orb.Point) orb.Point) ([]geo.Ping, error) {
	rules := s.Rules(n.Index)
	now := s.opts.Now()
	pings := make([]geo.Ping, len(b.pings))
	var bad []data.Param
	badCount := 0
	for i := range b.pings {
		pp := &b.pings[i]
		if len(pp.errs) == 0 {
			s.checkPing(pp, rules, now)
		}
		if len(pp.errs) > 0 {
			badCount++
			for _, e := range pp.errs {
				if len(bad) < intake.MaxReported {
					name := pingName(i, e.Name)
					bad = append(bad, data.Param{Name: name, Reason: name + " " + e.Reason})
				}
			}
			continue
		}
		pings[i] = geo.Ping{
			OfficerID: pp.officer, At: pp.at,
			Location: toDatum(orb.Point{pp.lon, pp.lat}),
			SpeedMPS: pp.speed, HeadingDeg: pp.heading,
		}
	}
	if badCount > 0 {
		re := data.InvalidParams(bad...)
		re.Message = fmt.Sprintf("%d of %d pings are invalid (nothing was stored): %s", badCount, len(b.pings), re.Message)
		return nil, re
	}
	return pings, nil
}

// checkPing records what is wrong with a well-formed ping: an officer
// who is not one, or a time too far from now.
func (s *Service) checkPing(pp *parsedPing, rules *patrol.Rules, now time.Time) {
	if _, err := rules.Officer(pp.officer); err != nil {
		pp.bad(".officer", strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": "))
	}
	switch {
	case pp.at.After(now.Add(s.opts.MaxPingAhead)):
		pp.bad(".at", fmt.Sprintf("%s is %s ahead of the server's clock (%s); at most %s ahead is accepted", pp.at.Format(time.RFC3339), pp.at.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339), s.opts.MaxPingAhead))
	case pp.at.Before(now.Add(-s.opts.MaxPingAge)):
		pp.bad(".at", fmt.Sprintf("%s is older than %s; pings that old are not accepted", pp.at.Format(time.RFC3339), s.opts.MaxPingAge))
	}
}

// pingName is the name of ping i, or of one of its members, in errors.
func pingName(i int, member string) string { return "pings[" + strconv.Itoa(i) + "]" + member }

// Record attributes pings (checked by Check) to the grids of n's index,
// commits them under the batch key and scope (data.PingBatch), puts the
// officers' new states on the board and hands the events raised to the
// streams and webhooks. A key committed before is answered as Replayed
// without storing the pings again. Store refusals come back as they are.
func (s *Service) Record(ctx context.Context, n Names, key, scope string, pings []geo.Ping) (PingResponse, error) {
	outside := patrol.Attribute(n.Index, pings)
	res, err := s.store.RecordPings(ctx, data.PingBatch{Key: key, Scope: scope, Pings: pings, Rules: s.Rules(n.Index)})
	if err != nil {
		return PingResponse{}, err
	}
	s.Committed(res.States, res.Events)
	return PingResponse{Accepted: len(pings), Outside: outside, Replayed: res.Replayed, Events: n.Events(res.Events)}, nil
}

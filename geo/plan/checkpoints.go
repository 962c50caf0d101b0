package plan

import (
	"math"
)

// ExitReach is how fast the nearest checkpoint reaches one exit.
type ExitReach struct {
	Exit string `json:"exit"`
	// Checkpoint is the nearest in time; empty when there is none.
	Checkpoint string  `json:"checkpoint"`
	Minutes    float64 `json:"minutes"`
	Covered    bool    `json:"covered"`
}

// ExitCoverage is the checkpoint circle's figure: the share of the exits
// some checkpoint reaches within Minutes.
type ExitCoverage struct {
	Minutes float64 `json:"minutes"`
	Exits   int     `json:"exits"`
	Covered int     `json:"covered"`
	// Share is Covered ÷ Exits; 0 without exits.
	Share float64 `json:"share"`
	// Reach holds every exit in the order given.
	Reach []ExitReach `json:"reach"`
	// Uncovered are the ids of the exits no checkpoint reaches in time.
	Uncovered []string `json:"uncovered"`
}

// checkMinutes refuses a time limit that is not a positive number.
func checkMinutes(minutes float64) error {
	if !(minutes > 0) || math.IsInf(minutes, 0) {
		return invalid("checkpoints: minutes must be a positive number, got %v", minutes)
	}
	return nil
}

// minutesTo is the time from o to e under e's road speed.
func minutesTo(o Origin, e Exit) float64 {
	return distanceKm(rad(o.Location[0]), rad(o.Location[1]), rad(e.Location[0]), rad(e.Location[1])) * e.MinutesPerKm
}

// CoverExits tells which exits the checkpoints reach within minutes, by
// the response rings' travel model (straight-line km × the exit's minutes
// per km). An exit exactly minutes away is covered.
func CoverExits(exits []Exit, checkpoints []Origin, minutes float64) (ExitCoverage, error) {
	if err := checkMinutes(minutes); err != nil {
		return ExitCoverage{}, err
	}
	c := ExitCoverage{Minutes: minutes, Exits: len(exits), Reach: make([]ExitReach, len(exits)), Uncovered: []string{}}
	for i, e := range exits {
		r := ExitReach{Exit: e.ID, Minutes: math.Inf(1)}
		for _, o := range checkpoints {
			if t := minutesTo(o, e); t < r.Minutes {
				r.Checkpoint, r.Minutes = o.ID, t
			}
		}
		if r.Covered = r.Minutes <= minutes; r.Covered {
			c.Covered++
		} else {
			c.Uncovered = append(c.Uncovered, e.ID)
		}
		if math.IsInf(r.Minutes, 1) {
			r.Minutes = 0 // no checkpoint: JSON has no infinity
		}
		c.Reach[i] = r
	}
	if c.Exits > 0 {
		c.Share = float64(c.Covered) / float64(c.Exits)
	}
	return c, nil
}

// SiteChoice is one site a proposal picks, in the order picked.
type SiteChoice struct {
	Site Origin `json:"site"`
	// Exits are the exits it newly covers, none of them covered by the
	// checkpoints in force or a site picked before it.
	Exits []string `json:"exits"`
	// CoveredAfter is the number of exits covered once it is added.
	CoveredAfter int `json:"covered_after"`
}

// ProposeSites picks up to count of the candidate sites, one at a time,
// each the one that newly covers the most exits within minutes beside the
// checkpoints in force and the sites picked before it (greedy maximum
// coverage, which covers at least 1 − 1/e of the best choice of count
// sites). Ties go to the smaller total time to the exits it newly covers,
// then to the earlier candidate. It stops early once no candidate adds an
// exit, so it may pick fewer than count.
func ProposeSites(exits []Exit, inForce, candidates []Origin, count int, minutes float64) ([]SiteChoice, error) {
	if err := checkMinutes(minutes); err != nil {
		return nil, err
	}
	if count < 1 {
		return nil, invalid("checkpoints: count must be 1 or more, got %d", count)
	}
	covered := make([]bool, len(exits))
	n := 0
	for i, e := range exits {
		for _, o := range inForce {
			if minutesTo(o, e) <= minutes {
				covered[i] = true
				n++
				break
			}
		}
	}
	// reach[c] lists the exits candidate c reaches in time, with the time.
	type hit struct {
		exit    int
		minutes float64
	}
	reach := make([][]hit, len(candidates))
	for c, o := range candidates {
		for i, e := range exits {
			if t := minutesTo(o, e); t <= minutes {
				reach[c] = append(reach[c], hit{i, t})
			}
		}
	}
	used := make([]bool, len(candidates))
	out := []SiteChoice{}
	for len(out) < count {
		best, bestGain, bestTime := -1, 0, math.Inf(1)
		for c := range candidates {
			if used[c] {
				continue
			}
			gain, total := 0, 0.0
			for _, h := range reach[c] {
				if !covered[h.exit] {
					gain++
					total += h.minutes
				}
			}
			if gain > bestGain || (gain == bestGain && gain > 0 && total < bestTime) {
				best, bestGain, bestTime = c, gain, total
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		choice := SiteChoice{Site: candidates[best], Exits: []string{}}
		for _, h := range reach[best] {
			if !covered[h.exit] {
				covered[h.exit] = true
				choice.Exits = append(choice.Exits, exits[h.exit].ID)
			}
		}
		n += len(choice.Exits)
		choice.CoveredAfter = n
		out = append(out, choice)
	}
	return out, nil
}

package patrolling

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// scanPings parses a ping body of the usual shape in one pass without
// reflection: {"crs": "...", "pings": [{"officer": "...", "at": "...",
// "lon": N, "lat": N, "speed_mps": N, "heading_deg": N}, ...]}, members in
// any order, any whitespace. It gives up (ok false) on anything else:
// escapes in strings, null, unknown or repeated members, bad syntax,
// trailing data; encoding/json then parses the body and explains what is
// wrong. Where it succeeds its result is exactly encoding/json's (a fuzz
// test holds it to that). crsRaw is the crs member's JSON text, or nil.
func scanPings(body []byte) (crsRaw json.RawMessage, pings []parsedPing, ok bool) {
	s := scanner{b: body}
	if !s.byte('{') {
		return nil, nil, false
	}
	seenPings := false
	for first := true; ; first = false {
		if s.byte('}') {
			break
		}
		if !first && !s.byte(',') {
			return nil, nil, false
		}
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return nil, nil, false
		}
		switch string(key) {
		case "crs":
			if crsRaw != nil {
				return nil, nil, false
			}
			start := s.skipWS()
			if _, ok := s.str(); !ok {
				return nil, nil, false
			}
			crsRaw = json.RawMessage(body[start:s.i])
		case "pings":
			if seenPings {
				return nil, nil, false
			}
			seenPings = true
			if pings, ok = s.pingArray(); !ok {
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
	}
	s.skipWS()
	if s.i != len(s.b) || !seenPings {
		return nil, nil, false
	}
	return crsRaw, pings, true
}

// scanner reads JSON from b at i.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) skipWS() int {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return s.i
		}
	}
	return s.i
}

// byte consumes c (after whitespace) if it comes next.
func (s *scanner) byte(c byte) bool {
	s.skipWS()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters and returns
// its contents.
func (s *scanner) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return nil, false // encoding/json would replace the bad bytes
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return nil, false
}

// number reads a JSON number.
func (s *scanner) number() (float64, bool) {
	s.skipWS()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return 0, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return 0, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil || math.IsInf(v, 0) {
		// encoding/json refuses a number out of float64's range.
		return 0, false
	}
	return v, true
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// pingArray reads the pings array.
func (s *scanner) pingArray() ([]parsedPing, bool) {
	if !s.byte('[') {
		return nil, false
	}
	// A ping takes at least 40 bytes of JSON: size the slice once.
	pings := make([]parsedPing, 0, max(1, (len(s.b)-s.i)/80))
	if s.byte(']') {
		return pings, true
	}
	for {
		var f pingFields
		if !s.ping(&f) {
			return nil, false
		}
		p := parsedPing{speed: math.NaN(), heading: math.NaN()}
		p.set(f)
		pings = append(pings, p)
		if s.byte(']') {
			return pings, true
		}
		if !s.byte(',') {
			return nil, false
		}
	}
}

// Members of a ping, as bits, to refuse repeats.
const (
	memberOfficer = 1 << iota
	memberAt
	memberLon
	memberLat
	memberSpeed
	memberHeading
)

// ping reads one ping object into f.
func (s *scanner) ping(f *pingFields) bool {
	if !s.byte('{') {
		return false
	}
	seen := 0
	for first := true; ; first = false {
		if s.byte('}') {
			return true
		}
		if !first && !s.byte(',') {
			return false
		}
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return false
		}
		var bit int
		switch string(key) {
		case "officer", "at":
			v, ok := s.str()
			if !ok {
				return false
			}
			if key[0] == 'o' {
				bit, f.officer = memberOfficer, string(v)
			} else {
				bit, f.at = memberAt, string(v)
			}
		case "lon":
			bit = memberLon
			f.lon, f.hasLon = s.number()
			ok = f.hasLon
		case "lat":
			bit = memberLat
			f.lat, f.hasLat = s.number()
			ok = f.hasLat
		case "speed_mps":
			bit = memberSpeed
			f.speed, f.hasSpeed = s.number()
			ok = f.hasSpeed
		case "heading_deg":
			bit = memberHeading
			f.heading, f.hasHeading = s.number()
			ok = f.hasHeading
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

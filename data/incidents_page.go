package data

import (
	"encoding/base64"
	"jingge/geo"
	"strconv"
	"strings"
	"time"
)

// Page asks for one page of a query.
type Page struct {
	// Limit is the most incidents to return: DefaultPageLimit when 0, at
	// most MaxPageLimit.
	Limit int
	// Cursor continues after the last incident of the previous page (its
	// IncidentPage.Next); "" starts at the newest.
	Cursor string
}

// Page sizes.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// IncidentPage is one page of a query.
type IncidentPage struct {
	Incidents []geo.Incident
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// Cursor is the position in the newest-first order a page continues
// after: the last incident's occurrence time and id.
type Cursor struct {
	OccurredAt time.Time
	ID         int64
}

// Encode writes c as an opaque URL-safe string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.OccurredAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor reads a cursor written by Cursor.Encode. An empty string is
// the zero Cursor (start at the newest); anything unreadable is a
// *RequestError of kind ErrInvalid.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := userError(ErrInvalid, "the cursor %q is not one this server gave out; start again without a cursor", clipText(s, 40))
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	us, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return Cursor{}, bad
	}
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, bad
	}
	return Cursor{OccurredAt: time.UnixMicro(t), ID: n}, nil
}

// Before reports whether an incident at t with id comes after c in the
// newest-first order, i.e. belongs to the page c continues.
func (c Cursor) Before(t time.Time, id int64) bool {
	if c.ID == 0 {
		return true
	}
	return t.Before(c.OccurredAt) || t.Equal(c.OccurredAt) && id < c.ID
}

// ParseIncidentID reads an incident id; anything that is not a positive
// decimal integer is a *RequestError of kind ErrNotFound, since no
// incident has it.
func ParseIncidentID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, userError(ErrNotFound, "there is no incident %q (incident ids are positive whole numbers)", clipText(id, 40))
	}
	return n, nil
}

package records

import (
	"errors"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/patrol"
)

// ErrForbidden is the kind of a refusal for want of the caller's rights: an
// officer reading or changing the records of another station or officer.
var ErrForbidden = errors.New("records: forbidden")

// Caller is who makes a request, as the API authenticated them.
type Caller struct {
	// Name is the signed-in user's; "" when anonymous or when the server
	// runs without access control. It records who wrote, and scopes
	// idempotency keys.
	Name string
	// Role and OfficerID are the signed-in user's: an officer reads and
	// changes the records of their own station and area only.
	Role      data.Role
	OfficerID string
	// Text and Parties show free text and a dispute's parties as the caller
	// may read them (phone numbers, names masked); nil shows them as stored.
	Text, Parties func(string) string
}

func (c Caller) officer() bool { return c.Role == data.RoleOfficer }

func (c Caller) text(s string) string {
	if c.Text == nil {
		return s
	}
	return c.Text(s)
}

func (c Caller) parties(s string) string {
	if c.Parties == nil {
		return s
	}
	return c.Parties(s)
}

// Options configure New. Nil stores answer their routes with a 503.
type Options struct {
	Visits   data.VisitStore
	Disputes data.DisputeStore
	Tasks    data.TaskStore
	// Index returns the index in force and its datum, or the API's
	// refusal before one is loaded.
	Index func() (*geo.Index, crs.CRS, error)
	// Rules returns the patrol rules of an index: who is an officer, whose
	// area a grid is in.
	Rules func(*geo.Index) *patrol.Rules
	// Attributor attributes a record to the grids in force where and when
	// it was made, by the grid history, as incidents are; nil attributes
	// by the index in force.
	Attributor *data.Attributor
	// Now is the clock; MaxAhead is how far ahead of it a time may lie
	// (the clock skew allowed to the devices that send them).
	Now      func() time.Time
	MaxAhead time.Duration
}

// Service records and lists visits, disputes and tasks. It keeps no state
// of its own; it is safe for concurrent use as its stores are.
type Service struct{ o Options }

// New returns a Service over opts.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{o: opts}
}

// Kind names one kind of record.
type Kind int

// The kinds of record.
const (
	Visits Kind = iota
	Disputes
	Tasks
)

// Ready refuses with a 503-kind error when the server keeps no records of
// kind k; the API asks it first, before it reads anything of a request.
func (s *Service) Ready(k Kind) error {
	switch {
	case k == Visits && s.o.Visits == nil:
		return &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no visits (it has no visit store)"}
	case k == Disputes && s.o.Disputes == nil:
		return &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no disputes (it has no dispute store)"}
	case k == Tasks && s.o.Tasks == nil:
		return &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no task lists (it has no task store)"}
	}
	return nil
}

func forbidden(msg string) error {
	return &data.RequestError{Kind: ErrForbidden, Type: "forbidden", Message: msg}
}

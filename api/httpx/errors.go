package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"jingge/api/intake"
	"jingge/data"
)

// Error kinds of the API itself, beside the data package's sentinels. Like
// those, they only pick the HTTP status; the message for the client travels
// in a *Problem.
var (
	ErrTooLarge         = errors.New("api: request too large")
	ErrMethodNotAllowed = errors.New("api: method not allowed")
	ErrNoRoute          = errors.New("api: no such route")
)

// Error kinds of access control (the server's sign-in, role, rate-limit
// and audit middleware), mapped to statuses below.
var (
	ErrUnauthenticated = errors.New("api: not authenticated")
	ErrForbidden       = errors.New("api: forbidden")
	ErrTooManyRequests = errors.New("api: too many requests")
	// ErrBusy is a 503: the server sheds load rather than queue without end.
	ErrBusy = errors.New("api: server busy")
	// ErrAuditUnavailable is a 503: a request that must be audited is not
	// served while the audit cannot be written.
	ErrAuditUnavailable = errors.New("api: audit log unavailable")
)

// statusOf is the one mapping from error kinds to HTTP statuses. The first
// kind that errors.Is matches wins; an error matching none is a 500 whose
// cause is logged and never shown.
var statusOf = []struct {
	kind    error
	status  int
	problem string // the problem type, see problemType
}{
	{data.ErrInvalid, http.StatusBadRequest, "invalid-request"},
	{data.ErrNotFound, http.StatusNotFound, "not-found"},
	{ErrNoRoute, http.StatusNotFound, "no-route"},
	{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed"},
	{data.ErrConflict, http.StatusConflict, "conflict"},
	// A read-only store refuses a change the client may not make here; the
	// request is not wrong in itself, so not a 400.
	{data.ErrReadOnly, http.StatusConflict, "read-only"},
	{ErrTooLarge, http.StatusRequestEntityTooLarge, "too-large"},
	{intake.ErrTooMany, http.StatusRequestEntityTooLarge, "too-large"},
	{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type"},
	{ErrHeaderTooLarge, http.StatusRequestHeaderFieldsTooLarge, "header-too-large"},
	{data.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	// Access control (the refusals of api/auth, given their kind by
	// api/authhttp).
	{ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{data.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{ErrForbidden, http.StatusForbidden, "forbidden"},
	{ErrTooManyRequests, http.StatusTooManyRequests, "too-many-requests"},
	{ErrBusy, http.StatusServiceUnavailable, "busy"},
	{ErrAuditUnavailable, http.StatusServiceUnavailable, "audit-unavailable"},
}

// ProblemType turns a short problem name into the problem's type URI. The
// URIs are names, not addresses: clients compare them, they need not fetch them.
func ProblemType(name string) string { return "urn:jingge:problem:" + name }

// InvalidParam names one bad input of a request and says what is wrong
// with it, as in RFC 9457's example extension.
type InvalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
	// Code names the rule broken, stable for programs that translate or
	// place the message; "" when the reason is all there is.
	Code string `json:"code,omitempty"`
}

// Problem is an RFC 9457 problem document. As an error it wraps its Kind,
// which selects the status through statusOf, and its Cause, which is
// logged but never sent.
type Problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail,omitempty"`
	Instance      string         `json:"instance,omitempty"`
	RequestID     string         `json:"request_id,omitempty"`
	InvalidParams []InvalidParam `json:"invalid_params,omitempty"`
	// Extra holds problem-specific members, such as the dataset bounds of an
	// "outside every grid" answer. Its keys must not collide with the above.
	Extra map[string]any `json:"-"`

	Kind  error `json:"-"`
	Cause error `json:"-"`
	// RetryAfterSeconds, when positive, is sent as the Retry-After header.
	RetryAfterSeconds int `json:"-"`
	// Allow, when set, is sent as the Allow header of a 405.
	Allow []string `json:"-"`
}

func (p *Problem) Error() string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if p.Cause != nil {
		return fmt.Sprintf("api: %s: %v", msg, p.Cause)
	}
	return "api: " + msg
}

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (p *Problem) Unwrap() []error {
	var out []error
	if p.Kind != nil {
		out = append(out, p.Kind)
	}
	if p.Cause != nil {
		out = append(out, p.Cause)
	}
	return out
}

// Invalid returns a 400 problem listing params; its detail joins their reasons.
func Invalid(params ...InvalidParam) *Problem {
	reasons := make([]string, len(params))
	for i, p := range params {
		reasons[i] = p.Reason
	}
	return &Problem{Kind: data.ErrInvalid, Type: ProblemType("invalid-parameters"), Detail: strings.Join(reasons, "; "), InvalidParams: params}
}

// InvalidBody returns a 400 problem about the request body.
func InvalidBody(format string, args ...any) *Problem {
	return &Problem{Kind: data.ErrInvalid, Type: ProblemType("invalid-body"), Detail: fmt.Sprintf(format, args...)}
}

// NotFound returns a 404 problem with detail.
func NotFound(format string, args ...any) *Problem {
	return &Problem{Kind: data.ErrNotFound, Detail: fmt.Sprintf(format, args...)}
}

// TooLarge returns a 413 problem of the given type name.
func TooLarge(name, format string, args ...any) *Problem {
	return &Problem{Kind: ErrTooLarge, Type: ProblemType(name), Detail: fmt.Sprintf(format, args...)}
}

// retryAfterDefault is the Retry-After of a 503 whose problem sets none.
const retryAfterDefault = 5

// ProblemOf turns any error into the problem to send, and reports whether
// its cause must be logged because the client will not see it.
func ProblemOf(err error) (p Problem, internal bool) {
	var src *Problem
	if errors.As(err, &src) {
		p = *src
	} else if src = RequestProblem(err); src != nil {
		p = *src
	}
	for _, m := range statusOf {
		if errors.Is(err, m.kind) {
			p.Status = m.status
			if p.Type == "" {
				p.Type = ProblemType(m.problem)
			}
			break
		}
	}
	if p.Status == 0 {
		// Unknown kind: say nothing about it.
		return Problem{Type: ProblemType("internal"), Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "internal error"}, true
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if src == nil {
		// A store's error of a known kind: its text may hold storage details,
		// so the client gets the status's words and the log gets the error.
		p.Detail = strings.ToLower(p.Title)
		p.Cause = err
	}
	if p.Status == http.StatusServiceUnavailable && p.RetryAfterSeconds <= 0 {
		p.RetryAfterSeconds = retryAfterDefault
	}
	return p, false
}

// RequestProblem is the problem of the data.Refuser in err (a
// *data.RequestError, or a dataset's or batch's structured refusal), the
// refusal of a store or an application package below the API; nil when err
// holds none.
func RequestProblem(err error) *Problem {
	var r data.Refuser
	if !errors.As(err, &r) {
		return nil
	}
	re := r.Refusal()
	p := &Problem{Kind: re.Kind, Detail: re.Message, Cause: re.Cause}
	if re.Type != "" {
		p.Type = ProblemType(re.Type)
	}
	for _, ip := range re.Params {
		p.InvalidParams = append(p.InvalidParams, InvalidParam{Name: ip.Name, Reason: ip.Reason, Code: ip.Code})
	}
	return p
}

// AboutParam is the problem of err, a refusal of a package below the API,
// naming param as the input at fault when the refusal is for invalid input
// and names none; other errors pass as they are.
func AboutParam(err error, param string) error {
	p := RequestProblem(err)
	if p == nil {
		return err
	}
	if len(p.InvalidParams) == 0 && errors.Is(p.Kind, data.ErrInvalid) {
		p.InvalidParams = []InvalidParam{{Name: param, Reason: p.Detail}}
	}
	return p
}

// AsProblem is err as a *Problem when it is an application package's
// refusal, for the decoders that promise one; other errors pass as they
// are.
func AsProblem(err error) error {
	if p := RequestProblem(err); p != nil {
		return p
	}
	return err
}

// RequestMessage is the message of the *data.RequestError in err (a
// refusal of a package below the API), else err's text.
func RequestMessage(err error) string {
	var re *data.RequestError
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}

// WriteError sends err as an application/problem+json response. Errors of
// no known kind become a 500 "internal error"; their cause is logged with
// the request id and never sent.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	p, internal := ProblemOf(err)
	p.Instance = r.URL.Path
	p.RequestID = RequestIDFrom(r.Context())
	if internal {
		logger.ErrorContext(r.Context(), "internal error", "request_id", p.RequestID, "method", r.Method, "path", r.URL.Path, "err", err)
	} else if p.Cause != nil {
		logger.WarnContext(r.Context(), "request failed", "request_id", p.RequestID, "status", p.Status, "err", err)
	}
	h := w.Header()
	if p.RetryAfterSeconds > 0 {
		h.Set("Retry-After", strconv.Itoa(p.RetryAfterSeconds))
	}
	if len(p.Allow) > 0 {
		h.Set("Allow", strings.Join(p.Allow, ", "))
	}
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="jingge"`)
	}
	WriteJSON(w, r, logger, p.Status, ContentTypeProblem, problemBody(p))
}

// problemBody is p as JSON with its extension members after the standard
// ones, so the document reads type, title, status, detail first.
func problemBody(p Problem) any {
	if len(p.Extra) == 0 {
		return p
	}
	base, err := json.Marshal(p)
	if err != nil {
		return p
	}
	out := bytes.NewBuffer(base[:len(base)-1]) // drop the closing brace
	for _, k := range slices.Sorted(maps.Keys(p.Extra)) {
		v, err := json.Marshal(p.Extra[k])
		if err != nil {
			continue
		}
		key, _ := json.Marshal(k)
		out.WriteByte(',')
		out.Write(key)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return json.RawMessage(out.Bytes())
}

package data

import (
	"fmt"
	"strings"
)

// RequestError refuses a request in words for the person who made it: the
// one refusal type of the stores and the application packages below the
// API (ValidationError and IncidentError, which say where in a dataset or
// a batch, give theirs by Refusal). The API sends Message and Params as
// they are and picks the status from Kind, so no layer below it needs to
// know HTTP. Cause, when set, is logged and never shown.
type RequestError struct {
	// Kind is the sentinel it wraps: ErrInvalid, ErrNotFound, ErrConflict
	// or ErrUnavailable.
	Kind error
	// Type names the problem more closely than Kind ("plan-stale"); "" for
	// the kind's own.
	Type string
	// Message says what is wrong and how to mend it.
	Message string
	// Params name the inputs at fault, each with its reason.
	Params []Param
	// Cause is the error behind it, for the log.
	Cause error
}

// Param names one bad input of a request and says what is wrong with it;
// Code, when set, names the rule broken for programs.
type Param struct {
	Name   string
	Reason string
	Code   string
}

func (e *RequestError) Error() string {
	// A message made from its cause's text says it once.
	if e.Cause != nil && e.Cause.Error() != e.Message {
		return fmt.Sprintf("%s: %v", e.Message, e.Cause)
	}
	return e.Message
}

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e *RequestError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	return out
}

// Refusal implements Refuser: e is its own refusal.
func (e *RequestError) Refusal() *RequestError { return e }

// Refuser is an error that refuses a request for a reason the client can
// mend: RequestError, and the structured ValidationError and IncidentError.
// The API finds it with errors.As and sends its Refusal.
type Refuser interface {
	error
	Refusal() *RequestError
}

// InvalidParams returns an ErrInvalid RequestError of type
// "invalid-parameters" listing params; its message joins their reasons.
func InvalidParams(params ...Param) *RequestError {
	reasons := make([]string, len(params))
	for i, p := range params {
		reasons[i] = p.Reason
	}
	return &RequestError{Kind: ErrInvalid, Type: "invalid-parameters", Message: strings.Join(reasons, "; "), Params: params}
}

// NotFound returns an ErrNotFound RequestError saying what is not there.
func NotFound(format string, args ...any) *RequestError {
	return &RequestError{Kind: ErrNotFound, Message: fmt.Sprintf(format, args...)}
}

// userError returns a RequestError of kind with a message for the client.
func userError(kind error, format string, args ...any) error {
	return &RequestError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

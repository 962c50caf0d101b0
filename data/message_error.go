package data

import "fmt"

// MessageError is an error whose message is meant for the person who
// made the request: it names what is wrong in their terms and holds no
// storage detail. Kind is the sentinel it wraps (ErrInvalid, ErrConflict,
// ErrNotFound). The API sends Message as it is.
type MessageError struct {
	Kind    error
	Message string
}

func (e *MessageError) Error() string { return "data: " + e.Message }

// Unwrap makes errors.Is(err, e.Kind) hold.
func (e *MessageError) Unwrap() error { return e.Kind }

func userError(kind error, format string, args ...any) error {
	return &MessageError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

package plan

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error caused by the caller's input: a bad
// configuration, a deployment naming unknown grids, assessment values whose
// numerator exceeds their denominator. The rest of the message says what to
// change.
var ErrInvalid = errors.New("plan: invalid input")

// invalid builds an ErrInvalid error with a message for people.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// joinInvalid wraps a list of problems (at most the first 20) into one
// ErrInvalid error about what, or returns nil for none.
func joinInvalid(what string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	const most = 20
	msg := problems[0]
	for i, p := range problems[1:] {
		if i+1 == most {
			msg += fmt.Sprintf("; and %d more", len(problems)-most)
			break
		}
		msg += "; " + p
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalid, what, msg)
}

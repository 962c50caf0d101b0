package data

import (
	"errors"
	"strings"
	"testing"
)

// A refusal whose message is its cause's text says it once, in logs too.
func TestRequestErrorSaysItOnce(t *testing.T) {
	cause := &ValidationError{Problems: []Problem{{Kind: "line", ID: "2", Reason: "familiarity 50/10: the numerator is above the denominator"}}}
	e := &RequestError{Kind: ErrInvalid, Message: cause.Error(), Cause: cause}
	if n := strings.Count(e.Error(), "the numerator is above"); n != 1 {
		t.Errorf("%q says it %d times", e.Error(), n)
	}
	other := &RequestError{Kind: ErrInvalid, Message: "refused", Cause: errors.New("disk full")}
	if other.Error() != "refused: disk full" {
		t.Errorf("a different cause is kept: %q", other.Error())
	}
}

package authhttp

import (
	"errors"
	"fmt"
	"testing"

	"jingge/api/auth"
	"jingge/api/httpx"
	"jingge/data"
)

// TestProblemOfRefusals checks every reason of an auth.Refusal becomes
// its status with the refusal's words and wait, a wrapped refusal too,
// and that other errors pass untouched.
func TestProblemOfRefusals(t *testing.T) {
	tests := []struct {
		reason auth.Reason
		status int
		typ    string
	}{
		{auth.Unauthenticated, 401, "unauthenticated"},
		{auth.Forbidden, 403, "forbidden"},
		{auth.TooManyRequests, 429, "too-many-requests"},
		{auth.Busy, 503, "busy"},
		{auth.AuditUnavailable, 503, "audit-unavailable"},
	}
	if len(tests) != len(refusalKinds) {
		t.Fatalf("%d reasons tested, %d mapped", len(tests), len(refusalKinds))
	}
	for _, tc := range tests {
		err := fmt.Errorf("wrapped: %w", &auth.Refusal{Reason: tc.reason, Detail: "what to do", RetryAfterSeconds: 7})
		p, internal := httpx.ProblemOf(Problem(err))
		if internal || p.Status != tc.status || p.Type != httpx.ProblemType(tc.typ) || p.Detail != "what to do" || p.RetryAfterSeconds != 7 {
			t.Errorf("reason %d: internal %v, %+v", tc.reason, internal, p)
		}
	}
	other := fmt.Errorf("x: %w", data.ErrUnavailable)
	if got := Problem(other); got != other {
		t.Errorf("another error became %v", got)
	}
	if Problem(nil) != nil {
		t.Error("nil became an error")
	}
	if unknown := (&auth.Refusal{Reason: 99}); !errors.Is(Problem(unknown), unknown) {
		t.Error("a refusal of an unknown reason was not passed on")
	}
}

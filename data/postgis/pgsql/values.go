package pgsql

import (
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"jingge/geo"
)

// NullIfEmpty is s for the database, NULL for "".
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// HumanReason turns ST_IsValidReason's "Self-intersection[109.1 33.9]"
// into "Self-intersection at 109.1 33.9".
func HumanReason(r string) string {
	if i := strings.IndexByte(r, '['); i > 0 && strings.HasSuffix(r, "]") {
		return r[:i] + " at " + r[i+1:len(r)-1]
	}
	return r
}

// NullTime is t for the database, NULL for the zero time.
func NullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Float4OrNaN reads a nullable real: NaN for NULL, as geo.Ping keeps an
// unknown speed or heading.
func Float4OrNaN(f pgtype.Float4) float64 {
	if !f.Valid {
		return math.NaN()
	}
	return float64(f.Float32)
}

// NullFloat4 is v for a real column, NULL for NaN; Float4OrNaN reads it
// back.
func NullFloat4(v float64) pgtype.Float4 {
	if math.IsNaN(v) {
		return pgtype.Float4{}
	}
	return pgtype.Float4{Float32: float32(v), Valid: true}
}

// NullText is s for a text column, NULL for "".
func NullText(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// RoleTexts is a member's further roles as the text[] of members.roles;
// never nil, since the column is not null.
func RoleTexts(roles []geo.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// OptTime is t for a nullable timestamp, nil (NULL) for the zero time;
// TimeOrZero reads it back.
func OptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// TimeOrZero reads a nullable timestamp: the zero time for NULL.
func TimeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

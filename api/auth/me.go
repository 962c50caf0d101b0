package auth

import (
	"fmt"
	"time"

	"jingge/data"
)

// LoginRequest is a sign-in: a user name and a password.
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// Problems lists what is wrong with r, none when it may be checked.
func (r LoginRequest) Problems() []data.Param {
	var bad []data.Param
	if err := data.ValidateUserName(r.User); err != nil {
		bad = append(bad, data.Param{Name: "user", Reason: "give the user name (letters, digits and . _ @ -)"})
	}
	if r.Password == "" || len(r.Password) > data.MaxPasswordLen {
		bad = append(bad, data.Param{Name: "password", Reason: fmt.Sprintf("give the password (at most %d bytes)", data.MaxPasswordLen)})
	}
	return bad
}

// MeResponse says who the caller is: GET /api/v1/me and a sign-in's answer.
type MeResponse struct {
	User      string    `json:"user"`
	Role      data.Role `json:"role"`
	OfficerID string    `json:"officer_id,omitempty"`
	// Grants lists every role the user counts as, by the role lattice.
	Grants []data.Role `json:"grants"`
	// Auth is how the request was authenticated: "token" or "session".
	Auth      data.CredentialKind `json:"auth"`
	ExpiresAt *time.Time          `json:"expires_at,omitempty"`
	// Phones is "full" when the user is shown phone numbers in full,
	// "masked" when they read like 138****1234.
	Phones string `json:"phones"`
}

// Me describes u signed in with c.
func Me(u data.User, c data.Credential) MeResponse {
	m := MeResponse{User: u.Name, Role: u.Role, OfficerID: u.OfficerID, Auth: c.Kind, Phones: "masked"}
	for _, r := range data.Roles {
		if u.Role.Grants(r) {
			m.Grants = append(m.Grants, r)
		}
	}
	if !c.ExpiresAt.IsZero() {
		t := c.ExpiresAt
		m.ExpiresAt = &t
	}
	if u.Role.SeesFullPhones() {
		m.Phones = "full"
	}
	return m
}

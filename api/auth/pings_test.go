package auth

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"jingge/data"
)

// TestCheckOwnPings checks an officer posts the pings of their own member
// id only, an officer linked to none posts none, and other roles post
// anyone's.
func TestCheckOwnPings(t *testing.T) {
	officer := data.User{Name: "li", Role: data.RoleOfficer, OfficerID: "m1"}
	unlinked := data.User{Name: "wang", Role: data.RoleOfficer}
	admin := data.User{Name: "gateway", Role: data.RoleAdmin}
	tests := []struct {
		name string
		user data.User
		ids  []string
		want string // a word of the refusal; "" for none
	}{
		{"own", officer, []string{"m1", "m1"}, ""},
		{"another's", officer, []string{"m1", "m2"}, "not those of m2"},
		{"unlinked", unlinked, []string{"m1"}, "without a member id"},
		{"unlinked, nothing posted", unlinked, nil, ""},
		{"admin for anyone", admin, []string{"m1", "m2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOwnPings(tc.user, slices.Values(tc.ids))
			var rf *Refusal
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (!errors.As(err, &rf) || rf.Reason != Forbidden || !strings.Contains(rf.Detail, tc.want)):
				t.Errorf("got %v, want a Forbidden refusal saying %q", err, tc.want)
			}
		})
	}
}

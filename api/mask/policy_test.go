package mask

import (
	"testing"

	"jingge/data"
)

// TestPolicyByRole checks who reads phone numbers in full: officers and
// admins signed in; no one who is not signed in, whatever the role says;
// everyone without access control.
func TestPolicyByRole(t *testing.T) {
	const phone, text, parties = "13812341234", "电话13812341234", "张三 13812341234"
	for _, role := range data.Roles {
		full := role == data.RoleOfficer || role == data.RoleAdmin
		for _, signedIn := range []bool{true, false} {
			p := Of(signedIn, role)
			want := full && signedIn
			if p.FullPhones != want {
				t.Errorf("%s signed in %v: FullPhones %v, want %v", role, signedIn, p.FullPhones, want)
			}
			wantPhone, wantText, wantParties := phone, text, parties
			if !want {
				wantPhone, wantText, wantParties = "138****1234", "电话138****1234", "张* 138****1234"
			}
			if got := p.Phone(phone); got != wantPhone {
				t.Errorf("%s signed in %v: phone %q, want %q", role, signedIn, got, wantPhone)
			}
			if got := p.Text(text); got != wantText {
				t.Errorf("%s signed in %v: text %q, want %q", role, signedIn, got, wantText)
			}
			if got := p.Parties(parties); got != wantParties {
				t.Errorf("%s signed in %v: parties %q, want %q", role, signedIn, got, wantParties)
			}
		}
	}
	if got := Unmasked.Phone(phone); got != phone {
		t.Errorf("without access control: %q", got)
	}
}

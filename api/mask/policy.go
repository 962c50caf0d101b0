package mask

import "jingge/data"

// Policy is what one caller may read in full. The zero Policy masks
// everything it can.
type Policy struct {
	// FullPhones reports whether phone numbers are shown as stored.
	FullPhones bool
}

// Unmasked is the policy of a server without access control (tests, a
// trusted gateway in front): everything is shown as stored.
var Unmasked = Policy{FullPhones: true}

// Of is the policy of a caller with role: a signed-in officer or admin
// reads phone numbers in full (data.Role.SeesFullPhones); everyone else,
// and anyone not signed in, reads them masked.
func Of(signedIn bool, role data.Role) Policy {
	return Policy{FullPhones: signedIn && role.SeesFullPhones()}
}

// Phone is phone as the caller may see it (see Phone).
func (p Policy) Phone(phone string) string {
	if p.FullPhones {
		return phone
	}
	return Phone(phone)
}

// Text is free text as the caller may see it: with phone numbers masked
// (PhonesInText) for the roles that see members' numbers masked.
func (p Policy) Text(text string) string {
	if p.FullPhones {
		return text
	}
	return PhonesInText(text)
}

// Parties is a dispute's parties as the caller may see them: masked
// (Parties) for the roles that see members' numbers masked.
func (p Policy) Parties(text string) string {
	if p.FullPhones {
		return text
	}
	return Parties(text)
}

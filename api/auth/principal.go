package auth

import "jingge/data"

// Principal is who makes a request: a user and the credential presented,
// or nobody (the zero value) on a public route called without one.
type Principal struct {
	User       data.User
	Credential data.Credential // zero when anonymous
	// Secret is the hash of the secret presented, so a long-lived answer
	// (an event stream) can check it again while it runs.
	Secret [32]byte
}

// Anonymous reports whether p is nobody.
func (p *Principal) Anonymous() bool { return p.User.Name == "" }

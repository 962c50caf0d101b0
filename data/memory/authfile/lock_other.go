//go:build !unix

package authfile

// Lock is a no-op where flock is missing: one process at a time must
// change the auth file there.
func (f *File) Lock() (func(), error) { return func() {}, nil }

package data

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for passwords: OWASP's minimum of 19 MiB of memory
// and two passes. One check takes some tens of milliseconds and 19 MiB, so
// the API bounds how many run at once.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Password length limits; the upper one stops a megabyte "password" from
// turning a login into a denial of service.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ValidatePassword returns an error wrapping ErrInvalid unless pw has
// MinPasswordLen to MaxPasswordLen characters of valid UTF-8.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("data: %w: the password is not valid UTF-8", ErrInvalid)
	case n < MinPasswordLen:
		return fmt.Errorf("data: %w: the password has %d characters; use at least %d", ErrInvalid, n, MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("data: %w: the password is longer than %d bytes", ErrInvalid, MaxPasswordLen)
	}
	return nil
}

// HashPassword returns pw's Argon2id hash in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$key), after ValidatePassword.
func HashPassword(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// dummyHash is checked when a user does not exist, so a login for an
// unknown name takes as long as one with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-password-of-anyone")
	return h
})

// CheckPassword reports whether pw matches hash (from HashPassword). An
// empty or malformed hash matches nothing, but costs the same time.
func CheckPassword(hash, pw string) bool {
	p, ok := parseArgon2(hash)
	if !ok || len(pw) > MaxPasswordLen {
		p, _ = parseArgon2(dummyHash())
		argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
		return false
	}
	got := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(got, p.key) == 1
}

type argonParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2 reads a PHC argon2id string; parameters beyond sane bounds
// are refused so a tampered row cannot make a login allocate gigabytes.
func parseArgon2(s string) (argonParams, bool) {
	var p argonParams
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, false
	}
	var m, t, th uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); n != 3 || err != nil {
		return p, false
	}
	if m < 8 || m > 256*1024 || t < 1 || t > 16 || th < 1 || th > 16 {
		return p, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, false
	}
	p.memory, p.time, p.threads, p.salt, p.key = m, t, uint8(th), salt, key
	return p, true
}

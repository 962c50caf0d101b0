package auth

import (
	"strings"
	"time"
)

// Sign-in throttles. Only failed sign-ins count: an attempt takes a token
// from each bucket before its password is checked (so parallel guesses
// are bounded too), and a successful one gives them back.
//
// The buckets are keyed so that nobody but the guesser pays for guessing:
//
//   - loginPairRate, one user name from one client address: 5 attempts,
//     then one per 12 s. A single address guesses one account exactly as
//     slowly as when the limit was per user name alone.
//   - loginAddressRate, every user name from one client address: 20, then
//     one per 6 s, so an address cannot spread its guesses over many
//     accounts to go faster.
//   - loginAccountRate, one user name from every address: 30, then one per
//     3 s. It bounds a guess spread over many addresses (at most 4 times
//     the single-address rate, however many addresses), and it is skipped
//     for addresses the user signed in from successfully in the last
//     knownLoginTTL, so even such a spread guess cannot keep the user out
//     from where they usually sign in; filling it takes at least 4
//     addresses guessing without pause.
var (
	loginPairRate    = rate{perSecond: 1.0 / 12, burst: LoginPairBurst}
	loginAddressRate = rate{perSecond: 1.0 / 6, burst: LoginAddressBurst}
	loginAccountRate = rate{perSecond: 1.0 / 3, burst: LoginAccountBurst}
)

// How many failed sign-ins each throttle takes before it refuses: of one
// user name from one address, of every user name from one address, and of
// one user name from every address.
const (
	LoginPairBurst    = 5
	LoginAddressBurst = 20
	LoginAccountBurst = 30
)

// knownLoginTTL is how long an address a user signed in from counts as
// theirs for loginAccountRate; knownLoginMax bounds how many such
// (user, address) pairs a server remembers.
const (
	knownLoginTTL = 30 * 24 * time.Hour
	knownLoginMax = 100_000
)

// loginThrottle is the bucket set of one sign-in attempt.
type loginThrottle struct {
	keys  []string
	rates []rate
}

// loginKeys returns the buckets a sign-in for user from ip is charged to.
// User names are compared case-insensitively, as the stores look them up.
func (l *Limiter) loginKeys(user, ip string) loginThrottle {
	u := strings.ToLower(user)
	t := loginThrottle{
		keys:  []string{"login-pair:" + u + "|" + ip, "login-addr:" + ip},
		rates: []rate{loginPairRate, loginAddressRate},
	}
	if !l.knownLogin(u, ip) {
		t.keys = append(t.keys, "login-user:"+u)
		t.rates = append(t.rates, loginAccountRate)
	}
	return t
}

// startLogin charges a sign-in attempt to every bucket of t, or to none
// when one of them is empty: then it refuses with how long until all have
// a token again.
func (l *Limiter) startLogin(t loginThrottle) error {
	if wait, ok := l.allowAll(t.keys, t.rates); !ok {
		return l.refused(limitLogin, tooManySignIns(wait))
	}
	return nil
}

// loginSucceeded gives t's tokens back (only failures count) and
// remembers ip as one user signs in from.
func (l *Limiter) loginSucceeded(t loginThrottle, user, ip string) {
	for i, k := range t.keys {
		l.refund(k, t.rates[i])
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.knownLogins) >= knownLoginMax {
		for k, at := range l.knownLogins {
			if now.Sub(at) >= knownLoginTTL {
				delete(l.knownLogins, k)
			}
		}
		if len(l.knownLogins) >= knownLoginMax {
			clear(l.knownLogins)
		}
	}
	l.knownLogins[strings.ToLower(user)+"|"+ip] = now
}

// knownLogin reports whether user signed in from ip successfully within
// knownLoginTTL. user is lower case.
func (l *Limiter) knownLogin(user, ip string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.knownLogins[user+"|"+ip]
	return ok && now.Sub(at) < knownLoginTTL
}

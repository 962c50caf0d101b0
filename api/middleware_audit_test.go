package api

import (
	"jingge/api/auth"
	"jingge/api/authhttp"
)

// Names the API's tests share with the access-control packages.
const (
	cookieSession = authhttp.CookieSession
	limiterCount  = len(auth.LimiterNames)
)

// loginPairRate is the sign-in throttle of one user name from one address.
var loginPairRate = struct{ burst float64 }{auth.LoginPairBurst}

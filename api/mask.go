package api

import (
	"context"
	"strings"
	"unicode/utf8"
)

// maskPhone hides the middle of a phone number: 13812341234 becomes
// 138****1234. Numbers of 8 or more characters keep their first 3 and last
// 4; shorter ones keep only their last 2; an empty number stays empty.
// Masking a masked number changes nothing.
func maskPhone(phone string) string {
	n := utf8.RuneCountInString(phone)
	if n == 0 {
		return ""
	}
	r := []rune(phone)
	keepHead, keepTail := 3, 4
	if n < 8 {
		keepHead, keepTail = 0, min(2, n-1)
	}
	var b strings.Builder
	b.WriteString(string(r[:keepHead]))
	b.WriteString(strings.Repeat("*", n-keepHead-keepTail))
	b.WriteString(string(r[n-keepTail:]))
	return b.String()
}

// fullPhones reports whether the caller of ctx is shown phone numbers in
// full: officers and admins are (data.Role.SeesFullPhones); everyone else
// is not. Without access control (tests, a trusted gateway) numbers are
// shown as stored.
func fullPhones(ctx context.Context) bool {
	p, ok := principalFrom(ctx)
	if !ok {
		return true
	}
	return !p.anonymous() && p.user.Role.SeesFullPhones()
}

// phoneFor is phone as the caller of ctx may see it.
func phoneFor(ctx context.Context, phone string) string {
	if fullPhones(ctx) {
		return phone
	}
	return maskPhone(phone)
}

// maskMembers masks the members' phone numbers in place for a caller who
// may not see them in full, and returns ms.
func maskMembers(ctx context.Context, ms []MemberInfo) []MemberInfo {
	if fullPhones(ctx) {
		return ms
	}
	for i := range ms {
		ms[i].Phone = maskPhone(ms[i].Phone)
	}
	return ms
}

// maskLookup masks the phone numbers of a lookup answer's members.
func maskLookup(ctx context.Context, resp *LookupResponse) {
	for _, g := range []*LookupGrid{resp.CommunityGrid, resp.PoliceGrid} {
		if g != nil {
			maskMembers(ctx, g.Members)
		}
	}
}

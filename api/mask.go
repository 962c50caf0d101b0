package api

import (
	"context"

	"jingge/api/locate"
	"jingge/api/mask"
)

// maskPolicy is what the caller of ctx may read in full (package mask):
// officers and admins see phone numbers in full, everyone else masked.
// Without access control (tests, a trusted gateway) everything is shown
// as stored.
func maskPolicy(ctx context.Context) mask.Policy {
	p, ok := principalFrom(ctx)
	if !ok {
		return mask.Unmasked
	}
	return mask.Of(!p.anonymous(), p.user.Role)
}

// fullPhones reports whether the caller of ctx is shown phone numbers in
// full.
func fullPhones(ctx context.Context) bool { return maskPolicy(ctx).FullPhones }

// phoneFor is phone as the caller of ctx may see it.
func phoneFor(ctx context.Context, phone string) string { return maskPolicy(ctx).Phone(phone) }

// textFor is free text (an incident's summary, a plan's note) as the
// caller of ctx may see it.
func textFor(ctx context.Context, text string) string { return maskPolicy(ctx).Text(text) }

// partiesFor is a dispute's parties as the caller of ctx may see them.
func partiesFor(ctx context.Context, text string) string { return maskPolicy(ctx).Parties(text) }

// maskPhone hides the middle of a phone number (mask.Phone).
func maskPhone(phone string) string { return mask.Phone(phone) }

// maskParties hides the people named in a dispute's parties (mask.Parties).
func maskParties(text string) string { return mask.Parties(text) }

// maskMembers masks the members' phone numbers in place for the caller of
// ctx, and returns ms.
func maskMembers(ctx context.Context, ms []MemberInfo) []MemberInfo {
	return locate.MaskMembers(ms, maskPolicy(ctx))
}

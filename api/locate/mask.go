package locate

import "jingge/api/mask"

// MaskMembers masks the members' phone numbers in place as p says, and
// returns ms.
func MaskMembers(ms []MemberInfo, p mask.Policy) []MemberInfo {
	if p.FullPhones {
		return ms
	}
	for i := range ms {
		ms[i].Phone = mask.Phone(ms[i].Phone)
	}
	return ms
}

// MaskPhones masks the phone numbers of the answer's members as p says.
func (r *Response) MaskPhones(p mask.Policy) {
	for _, g := range []*Grid{r.CommunityGrid, r.PoliceGrid} {
		if g != nil {
			MaskMembers(g.Members, p)
		}
	}
}

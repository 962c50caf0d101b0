package auth

import "jingge/data"

// CheckOwnPings refuses (Forbidden) unless u may post patrol pings for
// every officer in officerIDs: an officer only for the member id their
// user is linked to; every other role (admins: gateways, the simulator)
// for anyone.
func CheckOwnPings(u data.User, officerIDs func(yield func(string) bool)) error {
	if u.Role != data.RoleOfficer {
		return nil
	}
	for id := range officerIDs {
		if id != u.OfficerID {
			if u.OfficerID == "" {
				return RefuseForbidden("user " + u.Name + " is an officer without a member id and may post no pings; ask an admin to link it (jingge users add --officer)")
			}
			return RefuseForbidden("user " + u.Name + " may post only their own pings (officer " + u.OfficerID + "), not those of " + id)
		}
	}
	return nil
}

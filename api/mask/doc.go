// Package mask holds what a caller may read in full of the people a
// police dataset names: members' phone numbers, phone numbers written in
// free text (an incident's summary, a plan's note) and the parties of a
// dispute. It is application policy, pure functions of the caller's role
// (Policy); the API finds the role and applies it to what it answers.
//
// It imports data alone (for the roles), never api or net/http.
package mask

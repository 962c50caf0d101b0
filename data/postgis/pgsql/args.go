package pgsql

import "strconv"

// Args collects the arguments of a statement and hands out their
// placeholders.
type Args []any

// Add appends v to the arguments and returns its placeholder ($1, $2,
// ...), which the caller writes into the SQL text in v's place.
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

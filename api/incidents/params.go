package incidents

import "jingge/api/intake"

// Params reads a query parameter: its value and whether it was given.
type Params func(name string) (string, bool)

// List splits the comma-separated parameter name; empty items are
// dropped, nil when it is not given.
func (p Params) List(name string) []string {
	text, ok := p(name)
	if !ok {
		return nil
	}
	return intake.SplitList(text)
}

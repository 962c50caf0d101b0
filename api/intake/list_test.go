package intake

import (
	"slices"
	"testing"
)

// TestSplitList: items are trimmed and empty ones dropped.
func TestSplitList(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{{"", nil}, {"a", []string{"a"}}, {"a, ,b,", []string{"a", "b"}}, {" , ", nil}, {"3,4", []string{"3", "4"}}} {
		if got := SplitList(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("SplitList(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

package mask

import "testing"

func TestMaskPhonesInText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"mobile", "报警人电话13812341234，速回", "报警人电话138****1234，速回"},
		{"mobile spaced", "call 138 1234 1234 now", "call 138 **** 1234 now"},
		{"mobile dashed", "138-1234-1234", "138-****-1234"},
		{"mobile +86", "+86 13812341234", "+86 138****1234"},
		{"mobile +86 dashed", "+86-139-0000-1111.", "+86-139-****-1111."},
		{"mobile 0086", "0086 19912345678", "0086 199****5678"},
		{"mobile 86", "8615912345678", "86159****5678"},
		{"two mobiles", "13812341234/15012345678", "138****1234/150****5678"},
		{"landline dashed", "座机029-88881234。", "座机029-****1234。"},
		{"landline bare", "02988881234", "029****1234"},
		{"landline 4-digit area, 7 digits", "0913 1234567", "0913 ***4567"},
		{"landline parentheses", "(029)8888-1234", "(029)****-1234"},
		{"landline Beijing", "010-12345678", "010-****5678"},
		{"masked stays masked", "138****1234 029-****1234", "138****1234 029-****1234"},
		// Not phone numbers: unchanged.
		{"grid code", "网格61012200100701内", "网格61012200100701内"},
		{"grid code 13 in it", "61013800138000", "61013800138000"},
		{"police grid code", "610122100000002", "610122100000002"},
		{"date", "2026-05-01 08:30", "2026-05-01 08:30"},
		{"compact timestamp", "20260501083000", "20260501083000"},
		{"unix ms", "1714550400000", "1714550400000"},
		{"incident id", "incident 123456", "incident 123456"},
		{"12 digits starting 1", "138123412345", "138123412345"},
		{"10 digits", "1381234123", "1381234123"},
		{"emergency number", "拨打110", "拨打110"},
		{"word-glued", "id13812341234x", "id13812341234x"},
		{"local number without area code", "8888123", "8888123"},
		{"empty", "", ""},
	} {
		got := PhonesInText(tc.in)
		if got != tc.want {
			t.Errorf("%s: %q gives %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if again := PhonesInText(got); again != got {
			t.Errorf("%s: masking %q again gives %q", tc.name, got, again)
		}
	}
}

package httpx

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheckJSONText holds checkJSONText to a slow reference built on
// encoding/json's tokenizer: for valid JSON, it finds a problem exactly
// when the body is not UTF-8, repeats a member in one object, or holds a
// NUL in a string.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `{"a":"\u0000"}`, `["x\u0000"]`,
		`{"\u0061":1,"a":2}`, `{"a":[{"b":1},{"b":1}]}`, `{"s":"\\u0000"}`, "{\"a\":\"\xff\"}", `{"a\u0000":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := CheckJSONText(body)
		if !json.Valid(body) {
			return
		}
		want := !utf8.Valid(body) || referenceJSONProblem(body)
		if (len(got) > 0) != want {
			t.Fatalf("%q: checkJSONText %v, reference %v", body, got, want)
		}
	})
}

// referenceJSONProblem walks body's tokens and reports a repeated member
// or a string holding a NUL.
func referenceJSONProblem(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object    bool
		expectKey bool
		keys      map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				if top != nil && top.object {
					top.expectKey = true
				}
				stack = append(stack, &frame{object: true, expectKey: true, keys: map[string]bool{}})
			case '[':
				if top != nil && top.object {
					top.expectKey = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
			if top != nil && top.object && top.expectKey {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.expectKey = false
			} else if top != nil && top.object {
				top.expectKey = true
			}
		default:
			if top != nil && top.object {
				top.expectKey = true
			}
		}
	}
}

package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"jingge/api/intake"
	"jingge/data"
)

// ErrUnsupportedMediaType is a 415: the body is sent as a type the route
// does not read.
var ErrUnsupportedMediaType = errors.New("api: unsupported media type")

// jsonMediaTypes says which Content-Types a JSON body may come with, for
// problems and the OpenAPI document.
const jsonMediaTypes = "application/json (or another application/*+json type such as application/geo+json); " +
	"no Content-Type, and curl -d's default application/x-www-form-urlencoded, are read as JSON too"

// CheckJSONContentType refuses (415) a JSON body sent as another type,
// such as text/plain: a client that says it sends something else has
// made a mistake worth telling it about. No Content-Type is taken as
// JSON, and so is application/x-www-form-urlencoded, which is what
// `curl -d` sends unless told otherwise (the README's examples use it).
func CheckJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || mt == "application/x-www-form-urlencoded" ||
		strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &Problem{Kind: ErrUnsupportedMediaType, Type: ProblemType("unsupported-media-type"),
		Detail: fmt.Sprintf("the body is sent as %q, but this endpoint reads JSON: send it as %s", intake.Clip([]byte(ct)), jsonMediaTypes)}
}

// ReadJSONBody reads the body of a route that takes JSON. It refuses a
// body sent as another media type (415), one larger than the server's
// limit (413), and (400) one that is not UTF-8, gives a member twice in
// one object (encoding/json would silently keep the last) or holds text
// no store can keep (a \u0000 escape decodes to a NUL), naming the member.
// Syntax errors are left to the decoder that reads the body next.
func ReadJSONBody(r *http.Request) ([]byte, error) {
	if err := CheckJSONContentType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, BodyError(err)
	}
	if bad := CheckJSONText(body); len(bad) > 0 {
		return nil, Invalid(bad...)
	}
	return body, nil
}

// jsonFrame is an object or array open at some point of checkJSONText's
// walk.
type jsonFrame struct {
	object    bool
	expectKey bool
	key       []byte // the member being read, in an object
	index     int    // the element being read, in an array
	keysFrom  int    // where this object's keys start in the walk's key stack
	seen      map[string]bool
}

// jsonKeysLinear is how many members an object may have before their
// names go into a map: a linear search is faster for the usual handful,
// a map keeps a hostile object of a million members linear in time.
const jsonKeysLinear = 16

// CheckJSONText reports what makes body unacceptable as JSON text apart
// from its syntax: bytes that are not UTF-8, a member given twice in one
// object, a string (member name or value) holding a NUL. It makes one
// pass, without building the values; a body whose syntax is broken gets
// no answer here (the decoder explains it).
func CheckJSONText(body []byte) []InvalidParam {
	if !utf8.Valid(body) {
		return []InvalidParam{{Name: "body", Reason: "the body is not valid UTF-8; send JSON encoded as UTF-8"}}
	}
	var stack []jsonFrame
	// Member names are kept as slices of body (decoded copies only when
	// they hold escapes), so the walk allocates little per member.
	var keys [][]byte
	for i := 0; i < len(body); {
		switch body[i] {
		case '{':
			stack = append(stack, jsonFrame{object: true, expectKey: true, keysFrom: len(keys)})
			i++
		case '[':
			stack = append(stack, jsonFrame{})
			i++
		case '}', ']':
			if len(stack) == 0 {
				return nil
			}
			if top := stack[len(stack)-1]; top.object {
				keys = keys[:top.keysFrom]
			}
			stack = stack[:len(stack)-1]
			i++
		case ',':
			if len(stack) == 0 {
				return nil
			}
			if top := &stack[len(stack)-1]; top.object {
				top.expectKey = true
			} else {
				top.index++
			}
			i++
		case '"':
			end, escaped := jsonStringEnd(body, i)
			if end < 0 {
				return nil
			}
			raw := body[i:end]
			i = end
			if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey {
				top := &stack[len(stack)-1]
				name, ok := jsonStringValue(raw, escaped)
				if !ok {
					return nil
				}
				top.expectKey = false
				top.key = name
				if bytes.IndexByte(name, 0) >= 0 {
					return []InvalidParam{{Name: jsonPath(stack[:len(stack)-1], "body"), Reason: "a member name holds a NUL character (\\u0000), which cannot be stored; remove it"}}
				}
				if jsonSeen(top, keys[top.keysFrom:], name) {
					path := jsonPath(stack, "")
					return []InvalidParam{{Name: path, Reason: fmt.Sprintf("%s is given twice; give each member once", path)}}
				}
				keys = append(keys, name)
				continue
			}
			if escaped && bytes.Contains(raw, []byte(`\u0000`)) {
				if s, ok := jsonStringValue(raw, escaped); ok && bytes.IndexByte(s, 0) >= 0 {
					path := jsonPath(stack, "body")
					return []InvalidParam{{Name: path, Reason: path + " holds a NUL character (\\u0000), which cannot be stored; remove it"}}
				}
			}
		default:
			i++
		}
	}
	return nil
}

// jsonSeen reports whether name is among the members already read of the
// object top, whose names are keys, and records it in top.seen once the
// object is large enough for a map.
func jsonSeen(top *jsonFrame, keys [][]byte, name []byte) bool {
	if top.seen == nil && len(keys) < jsonKeysLinear {
		for _, k := range keys {
			if bytes.Equal(k, name) {
				return true
			}
		}
		return false
	}
	if top.seen == nil {
		top.seen = make(map[string]bool, 2*len(keys))
		for _, k := range keys {
			top.seen[string(k)] = true
		}
	}
	if top.seen[string(name)] {
		return true
	}
	top.seen[string(name)] = true
	return false
}

// jsonStringEnd returns the index just past the string starting at the
// quote body[start], and whether it holds escapes; -1 when it never ends.
func jsonStringEnd(body []byte, start int) (end int, escaped bool) {
	for j := start + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// jsonStringValue decodes a JSON string literal raw (quotes included);
// without escapes it is a slice of raw.
func jsonStringValue(raw []byte, escaped bool) ([]byte, bool) {
	if !escaped {
		return raw[1 : len(raw)-1], true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}

// jsonPath names the value being read at stack, as the API's problems name
// members: incidents[3].summary, features[0].properties.name. An empty
// path is root.
func jsonPath(stack []jsonFrame, root string) string {
	var b strings.Builder
	for _, f := range stack {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(data.StorableText(string(f.key)))
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	if b.Len() == 0 {
		return root
	}
	return b.String()
}

package roster

import (
	"encoding/json"
	"fmt"
	"io"
)

// LoadConfig reads roster rules as JSON ({"rules": [...]}), which replace
// the defaults, and validates them. Unknown fields are refused, so a
// misspelt key is not silently ignored.
func LoadConfig(r io.Reader) (Config, error) {
	var c Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("roster: reading the rules: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

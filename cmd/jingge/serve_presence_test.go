package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPresenceFlags(t *testing.T) {
	o, err := parseServeFlags([]string{"--presence-max-gap", "90s", "--visit-min-stay", "15m", "--visit-target", "4", "--visit-target-min", "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if p := o.presence; p.maxGap != 90*time.Second || p.minVisit != 15*time.Minute || p.targetPerWeek != 4 || p.targetMin != 2 {
		t.Errorf("presence flags %+v", *p)
	}
	for _, args := range [][]string{{"--visit-target", "-1"}, {"--visit-target", "2", "--visit-target-min", "3"}} {
		if _, err := parseServeFlags(args, io.Discard); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "visit-target") {
			t.Errorf("serve %v: %v, want a usage error naming --visit-target", args, err)
		}
	}
}

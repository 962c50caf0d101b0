package memory_test

import (
	"testing"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
)

func TestPatrolSuite(t *testing.T) {
	storetest.RunPatrols(t, func(t *testing.T) data.PatrolStore {
		return memory.NewPatrols(memory.PatrolOptions{})
	}, true)
}

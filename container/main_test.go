package container

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test shuts its resolver down; nothing may outlive it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

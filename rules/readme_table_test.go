package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The repository README documents the default ruleset in a table: every
// default rule must have its row, so the table cannot fall behind.
func TestRepositoryReadmeListsEveryDefaultRule(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	e, err := New(Config{DefaultRuleset: true})
	require.NoError(t, err)
	for _, r := range e.Rules() {
		require.Truef(t, strings.Contains(string(readme), "| "+r.Name), "README.md's Detections table has no row for %q", r.Name)
	}
}

package bpf

import (
	"fmt"
	"sort"
	"strings"
)

// Verdict bits of the path-prefix trie (VIGIL_PATH_* in syscall.bpf.c).
const (
	pathIgnore = 0x1 // below a FilePathIgnore prefix
	pathOnly   = 0x2 // below a FilePathOnly prefix
	pathRead   = 0x4 // below a FileReadPathOnly prefix
	pathAlways = 0x8 // an AlwaysReportedPaths entry
)

// pathPrefixEntry is one entry of the kernel's LPM trie: a prefix and the
// verdict bits of every list with a member that is a prefix of it.
type pathPrefixEntry struct {
	prefix string
	bits   uint8
}

// pathPrefixEntries turns the configured lists into trie entries. The kernel
// finds the longest stored prefix P of a path X; every stored prefix of X is
// a prefix of P, so "X is below a member of list L" equals "P is below a
// member of L", which is what each entry's bits record.
func pathPrefixEntries(c Config) ([]pathPrefixEntry, error) {
	lists := []struct {
		key   string
		items []string
		bit   uint8
	}{
		{"file path ignore prefix", c.FilePathIgnore, pathIgnore},
		{"file path only prefix", c.FilePathOnly, pathOnly},
		{"file read path only prefix", c.FileReadPathOnly, pathRead},
		{"always-reported path", AlwaysReportedPaths, pathAlways},
	}
	all := map[string]bool{}
	for _, l := range lists {
		for _, p := range l.items {
			switch {
			case !strings.HasPrefix(p, "/"):
				return nil, fmt.Errorf("%s %q: want an absolute path", l.key, p)
			case len(p) > MaxPathPrefixLen:
				return nil, fmt.Errorf("%s %q: longer than %d bytes", l.key, p, MaxPathPrefixLen)
			}
			all[p] = true
		}
	}
	if len(all) > MaxPathPrefixes {
		return nil, fmt.Errorf("path prefixes: %d distinct, at most %d fit the kernel filter", len(all), MaxPathPrefixes)
	}
	var out []pathPrefixEntry
	for p := range all {
		var bits uint8
		for _, l := range lists {
			for _, m := range l.items {
				if strings.HasPrefix(p, m) {
					bits |= l.bit
				}
			}
		}
		out = append(out, pathPrefixEntry{p, bits})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].prefix < out[j].prefix })
	return out, nil
}

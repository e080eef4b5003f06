package bpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
)

// pinMaps pins maps under dir by name. A pin left by an earlier run that did
// not shut down cleanly is replaced: its counters belong to programs that no
// longer exist.
func pinMaps(dir string, maps map[string]*ebpf.Map) ([]*ebpf.Map, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating pin directory: %w", err)
	}
	var pinned []*ebpf.Map
	for name, m := range maps {
		path := filepath.Join(dir, name)
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			unpinMaps(pinned)
			return nil, fmt.Errorf("removing stale pin %s: %w", path, err)
		}
		if err := m.Pin(path); err != nil {
			unpinMaps(pinned)
			return nil, fmt.Errorf("pinning %s: %w", name, err)
		}
		pinned = append(pinned, m)
	}
	return pinned, nil
}

// unpinMaps removes the pins of maps, returning the first error.
func unpinMaps(maps []*ebpf.Map) error {
	var first error
	for _, m := range maps {
		if err := m.Unpin(); err != nil && first == nil {
			first = fmt.Errorf("unpinning map: %w", err)
		}
	}
	return first
}

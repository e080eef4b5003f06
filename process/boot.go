package process

import (
	"fmt"
	"os"
	"strings"
)

// BootID returns the kernel's random boot id, which changes on every boot and
// so keeps (pid, start ticks) identities of different boots apart.
func BootID() (string, error) {
	const path = "/proc/sys/kernel/random/boot_id"
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return "", fmt.Errorf("read boot id: %s is empty", path)
	}
	return id, nil
}

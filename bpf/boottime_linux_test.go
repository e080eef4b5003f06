package bpf

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBootTime compares BootTime with the kernel's btime in /proc/stat
// (whole seconds, wall clock at boot).
func TestBootTime(t *testing.T) {
	boot, err := BootTime()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if d := boot.Sub(time.Unix(sec, 0)); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("BootTime %v, /proc/stat btime %v", boot, time.Unix(sec, 0))
			}
			wall, err := WallTime(uint64(time.Second))
			if err != nil || !wall.Equal(boot.Add(time.Second)) {
				t.Errorf("WallTime(1s) = %v, %v", wall, err)
			}
			return
		}
	}
	t.Fatal("no btime in /proc/stat")
}

package dockertest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// files is the minimal /etc a busybox userland expects (id, su, login
// lookups); Docker bind-mounts hosts, resolv.conf and hostname over its own.
var files = []struct {
	name string
	mode os.FileMode
	body string
}{
	{"etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
	{"etc/group", 0o644, "root:x:0:\nnogroup:x:65534:\n"},
	{"etc/shadow", 0o640, "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"},
	{"etc/hostname", 0o644, "vigil-test\n"},
}

var dirs = []struct {
	name string
	mode os.FileMode
}{
	{"bin", 0o755}, {"etc", 0o755}, {"usr/local/bin", 0o755},
	{"root", 0o700}, {"tmp", os.ModeSticky | 0o777}, {"proc", 0o555}, {"sys", 0o555}, {"dev", 0o755},
}

func buildRootfs(rootfs, busybox, srcDir string) error {
	for _, d := range dirs {
		p := filepath.Join(rootfs, d.name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d.name, err)
		}
		// MkdirAll obeys the umask and ignores the sticky bit.
		if err := os.Chmod(p, d.mode); err != nil {
			return fmt.Errorf("chmod %s: %w", d.name, err)
		}
	}
	for _, f := range files {
		p := filepath.Join(rootfs, f.name)
		if err := os.WriteFile(p, []byte(f.body), f.mode); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	if err := installBusybox(rootfs, busybox); err != nil {
		return err
	}
	return compileTestbins(rootfs, srcDir)
}

func installBusybox(rootfs, busybox string) error {
	b, err := os.ReadFile(busybox)
	if err != nil {
		return fmt.Errorf("reading busybox: %w", err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin/busybox"), b, 0o755); err != nil {
		return fmt.Errorf("copying busybox: %w", err)
	}
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	// Every applet goes in /bin: the image PATH covers it, and one place
	// keeps the layout obvious.
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" || strings.Contains(applet, "/") {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", applet)); err != nil {
			return fmt.Errorf("linking applet %s: %w", applet, err)
		}
	}
	return nil
}

// compileTestbins builds every testbin/*.c statically, so the binaries need
// nothing from the image's (absent) libc.
func compileTestbins(rootfs, srcDir string) error {
	names, err := sources()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", srcDir, err)
	}
	for _, name := range names {
		b, err := testbin.ReadFile(path.Join("testbin", name))
		if err != nil {
			return fmt.Errorf("reading testbin/%s: %w", name, err)
		}
		src := filepath.Join(srcDir, name)
		if err := os.WriteFile(src, b, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", src, err)
		}
		bin := filepath.Join(rootfs, "usr/local/bin", strings.TrimSuffix(name, ".c"))
		var out bytes.Buffer
		cmd := exec.Command("gcc", "-static", "-O2", "-Wall", "-o", bin, src)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("gcc -static %s: %w: %s", name, err, out.String())
		}
	}
	return nil
}

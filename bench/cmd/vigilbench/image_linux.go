package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// The bench image: busybox-static, the static workloads of bench/workloads
// in /usr/local/bin, mixed.sh as /usr/local/bin/mixed and a tree of small
// files under /bench/tree. Built offline with `docker import`, as
// internal/dockertest builds the test image; the tag hashes the inputs.
const (
	imageRepo = "vigil-bench"
	treeDirs  = 10
	treeFiles = 20
	treeBytes = 4096
)

func ensureImage(workloadDir string) (string, error) {
	busybox := ""
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			busybox = p
			break
		}
	}
	if busybox == "" {
		return "", fmt.Errorf("busybox not found: apt-get install busybox-static")
	}
	srcs, err := filepath.Glob(filepath.Join(workloadDir, "*"))
	if err != nil {
		return "", err
	}
	sort.Strings(srcs)
	h := sha256.New()
	fmt.Fprintf(h, "recipe 1 %d %d %d\n", treeDirs, treeFiles, treeBytes)
	for _, p := range append([]string{busybox}, srcs...) {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "\x00%s\x00%d\x00", filepath.Base(p), len(b))
		h.Write(b)
	}
	if out, err := exec.Command("gcc", "-dumpfullversion").Output(); err == nil {
		h.Write(out)
	}
	ref := imageRepo + ":" + hex.EncodeToString(h.Sum(nil))[:12]
	if exec.Command("docker", "image", "inspect", ref).Run() == nil {
		return ref, nil
	}
	logf("building image %s", ref)
	dir, err := os.MkdirTemp("", "vigil-bench-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "etc", "usr/local/bin", "root", "tmp", "proc", "sys", "dev", "bench/tree"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), os.ModeSticky|0o777); err != nil {
		return "", err
	}
	for name, body := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), bb, 0o755); err != nil {
		return "", err
	}
	applets, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return "", fmt.Errorf("busybox --list: %w", err)
	}
	for _, a := range strings.Fields(string(applets)) {
		if a != "busybox" && !strings.Contains(a, "/") {
			if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
				return "", err
			}
		}
	}
	for _, src := range srcs {
		base := filepath.Base(src)
		switch {
		case strings.HasSuffix(base, ".c"):
			bin := filepath.Join(root, "usr/local/bin", strings.TrimSuffix(base, ".c"))
			if out, err := exec.Command("gcc", "-static", "-O2", "-Wall", "-o", bin, src).CombinedOutput(); err != nil {
				return "", fmt.Errorf("gcc -static %s: %w: %s", base, err, out)
			}
		case strings.HasSuffix(base, ".sh"):
			b, err := os.ReadFile(src)
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(filepath.Join(root, "usr/local/bin", strings.TrimSuffix(base, ".sh")), b, 0o755); err != nil {
				return "", err
			}
		}
	}
	chunk := bytes.Repeat([]byte("vigil bench source line\n"), treeBytes/24+1)[:treeBytes]
	for d := range treeDirs {
		dp := filepath.Join(root, "bench/tree", fmt.Sprintf("d%02d", d))
		if err := os.MkdirAll(dp, 0o755); err != nil {
			return "", err
		}
		for f := range treeFiles {
			if err := os.WriteFile(filepath.Join(dp, fmt.Sprintf("f%03d.c", f)), chunk, 0o644); err != nil {
				return "", err
			}
		}
	}
	tar := exec.Command("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root, "-cf", "-", ".")
	imp := exec.Command("docker", "import", "--change", `CMD ["/bin/sh"]`,
		"--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "-", ref)
	pipe, err := tar.StdoutPipe()
	if err != nil {
		return "", err
	}
	imp.Stdin = pipe
	var impOut bytes.Buffer
	imp.Stdout, imp.Stderr = &impOut, &impOut
	if err := tar.Start(); err != nil {
		return "", err
	}
	impErr := imp.Run()
	if err := tar.Wait(); err != nil {
		return "", fmt.Errorf("tar: %w", err)
	}
	if impErr != nil {
		return "", fmt.Errorf("docker import: %w: %s", impErr, impOut.String())
	}
	return ref, nil
}

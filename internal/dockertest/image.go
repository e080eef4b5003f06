package dockertest

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// ImageName is the repository of the test image; its tag is a hash of what
// goes into it, so a build is reused across runs until an input changes.
const ImageName = "vigil-test"

// recipeVersion changes the hash when the way the rootfs is laid out
// changes without any input file changing.
const recipeVersion = "1"

// testbin holds C sources; each becomes /usr/local/bin/<name> in the image.
//
//go:embed testbin/*.c
var testbin embed.FS

// busyboxPaths: Debian's busybox-static installs /bin/busybox; usrmerge
// makes it /usr/bin/busybox too.
var busyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}

var image struct {
	once sync.Once
	ref  string
	err  error
}

// Image returns "vigil-test:<hash12>", building and importing the image the
// first time it is needed (once per test binary, and not at all when Docker
// already has that tag).
func Image(t testing.TB) string {
	t.Helper()
	testenv.RequireDocker(t)
	image.once.Do(func() {
		release := acquireShared(t)
		defer release()
		image.ref, image.err = ensureImage()
	})
	if image.err != nil {
		t.Fatalf("building test image: %v", image.err)
	}
	return image.ref
}

func ensureImage() (string, error) {
	busybox, err := findBusybox()
	if err != nil {
		return "", err
	}
	hash, err := inputHash(busybox)
	if err != nil {
		return "", err
	}
	ref := ImageName + ":" + hash
	if imageExists(ref) {
		return ref, nil
	}
	dir, err := os.MkdirTemp("", "vigil-test-image-")
	if err != nil {
		return "", fmt.Errorf("creating build dir: %w", err)
	}
	defer os.RemoveAll(dir)
	rootfs := filepath.Join(dir, "rootfs")
	if err := buildRootfs(rootfs, busybox, filepath.Join(dir, "src")); err != nil {
		return "", err
	}
	if err := importRootfs(rootfs, ref); err != nil {
		return "", err
	}
	return ref, nil
}

func findBusybox() (string, error) {
	for _, p := range busyboxPaths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("busybox not found at %v: apt-get install busybox-static", busyboxPaths)
}

// inputHash covers everything that ends up in the image, so the tag names
// its content.
func inputHash(busybox string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "recipe %s\n", recipeVersion)
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return "", fmt.Errorf("reading busybox: %w", err)
	}
	h.Write(bb)
	srcs, err := sources()
	if err != nil {
		return "", err
	}
	for _, name := range srcs {
		b, err := testbin.ReadFile(path.Join("testbin", name))
		if err != nil {
			return "", fmt.Errorf("reading testbin/%s: %w", name, err)
		}
		fmt.Fprintf(h, "\x00%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	if out, err := exec.Command("gcc", "-dumpfullversion").Output(); err == nil {
		h.Write(out)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// sources lists testbin/*.c in a stable order.
func sources() ([]string, error) {
	ents, err := fs.ReadDir(testbin, "testbin")
	if err != nil {
		return nil, fmt.Errorf("listing testbin: %w", err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".c") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func imageExists(ref string) bool {
	return exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", ref).Run() == nil
}

func importRootfs(rootfs, ref string) error {
	tar := exec.Command("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs, "-cf", "-", ".")
	imp := exec.Command("docker", "import",
		"--change", `CMD ["/bin/sh"]`,
		"--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"-", ref)
	pipe, err := tar.StdoutPipe()
	if err != nil {
		return fmt.Errorf("piping tar: %w", err)
	}
	imp.Stdin = pipe
	var tarErr, impOut bytes.Buffer
	tar.Stderr = &tarErr
	imp.Stdout, imp.Stderr = &impOut, &impOut
	if err := tar.Start(); err != nil {
		return fmt.Errorf("starting tar: %w", err)
	}
	impErr := imp.Run()
	if err := tar.Wait(); err != nil {
		return fmt.Errorf("tar of rootfs: %w: %s", err, tarErr.String())
	}
	if impErr != nil {
		return fmt.Errorf("docker import %s: %w: %s", ref, impErr, impOut.String())
	}
	return nil
}

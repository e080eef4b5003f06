package dockertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostLock is an flock shared by every test binary on the host: helpers that
// use Docker hold it shared, StopDaemon holds it exclusively. flock is
// per open file, so one descriptor per process keeps the accounting
// per process and a test that runs a container and then stops the daemon
// does not wait for itself.
var hostLock struct {
	mu        sync.Mutex
	f         *os.File
	users     int  // helpers in this process currently using Docker
	exclusive bool // this process stopped the daemon
}

// lockWait bounds how long a helper waits for another test binary; a
// restart holds the lock for seconds, a whole package's tests for minutes.
const lockWait = 10 * time.Minute

func lockFile() (*os.File, error) {
	if hostLock.f == nil {
		p := filepath.Join(os.TempDir(), "vigil-dockertest.lock")
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", p, err)
		}
		hostLock.f = f
	}
	return hostLock.f, nil
}

// flockWait polls instead of blocking so that it can give up with a message
// naming the lock rather than hang the test binary until go test kills it.
func flockWait(f *os.File, how int) error {
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if err != syscall.EWOULDBLOCK {
			return fmt.Errorf("flock %s: %w", f.Name(), err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %v for %s (another test binary uses or restarts Docker)", lockWait, f.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// acquireShared marks this process as using Docker until release is called.
func acquireShared(t testing.TB) (release func()) {
	t.Helper()
	hostLock.mu.Lock()
	defer hostLock.mu.Unlock()
	f, err := lockFile()
	if err != nil {
		t.Fatal(err)
	}
	if hostLock.users == 0 && !hostLock.exclusive {
		if err := flockWait(f, syscall.LOCK_SH); err != nil {
			t.Fatal(err)
		}
	}
	hostLock.users++
	var once sync.Once
	return func() {
		once.Do(func() {
			hostLock.mu.Lock()
			defer hostLock.mu.Unlock()
			hostLock.users--
			if hostLock.users == 0 && !hostLock.exclusive {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			}
		})
	}
}

// acquireExclusive waits until no other test binary uses Docker.
func acquireExclusive() error {
	hostLock.mu.Lock()
	defer hostLock.mu.Unlock()
	if hostLock.exclusive {
		return nil
	}
	f, err := lockFile()
	if err != nil {
		return err
	}
	// Drop our shared hold first: two binaries both upgrading in place
	// would each wait for the other forever.
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if err := flockWait(f, syscall.LOCK_EX); err != nil {
		if hostLock.users > 0 {
			_ = flockWait(f, syscall.LOCK_SH)
		}
		return err
	}
	hostLock.exclusive = true
	return nil
}

// releaseExclusive returns to a shared hold if containers of this process
// are still in use.
func releaseExclusive() {
	hostLock.mu.Lock()
	defer hostLock.mu.Unlock()
	if !hostLock.exclusive {
		return
	}
	hostLock.exclusive = false
	if hostLock.users == 0 {
		_ = syscall.Flock(int(hostLock.f.Fd()), syscall.LOCK_UN)
		return
	}
	// Linux converts a lock by dropping and retaking it, so another binary
	// may slip in between: wait for it like any other holder.
	_ = flockWait(hostLock.f, syscall.LOCK_SH)
}

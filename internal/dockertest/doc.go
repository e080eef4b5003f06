// Package dockertest gives tests a real Docker container to watch: an image
// built offline (no registry is reachable where Vigil is tested), containers
// removed when the test ends, and control of the daemon for restart tests.
//
// Every helper calls testenv.RequireDocker first, so a test skips without
// Docker and fails under CI=true.
//
// Test binaries run in parallel (go test ./... runs one per package), and a
// daemon restart would break another package's containers mid-test. Helpers
// therefore hold a shared host-wide lock while they use Docker, and StopDaemon
// takes it exclusively: it waits until no other test binary uses Docker.
package dockertest

// Package container maps a task's kernel cgroup identity to its container and enriches it from the Docker Engine API.
//
// The kernel side attributes events by cgroup name; IDFromCgroupName turns
// such a name (or a whole cgroup path) into a container id, and
// IDFromProcCgroup does the same for processes that predate Vigil.
//
// Resolver turns ids into Info (container.* attributes). It keeps a bounded
// cache current from Docker's event stream, reports container start and stop
// through Hooks, and stays fast when Docker is down: lookups then answer
// unresolved at once and are re-inspected after it comes back.
package container

// Package process keeps a bounded table of live processes with their ancestry and span identity.
//
// The table turns the kernel's exec/fork/exit events (package bpf) into the
// span model of DESIGN.md ("OTel mapping"):
//
//   - A process is identified by (pid, start time in clock ticks since boot),
//     the pair /proc/<pid>/stat and the kernel agree on.
//   - Each process is one span from its start to its exit. The first exec after
//     fork names that span; a later exec ends it and starts a new span (ExecSeq+1)
//     whose parent is the ended one.
//   - A span's parent is the parent process's current span. A container's
//     processes share one trace; a host process tree below init shares one trace.
//   - Span and trace ids are hashes of that identity (see SpanID, ContainerTraceID,
//     HostTraceID), so a restarted collector that seeds the table from /proc
//     (SeedFromProc) gives a running process the same ids again.
//
// Every *Process the table hands out is a snapshot owned by the caller: the
// table never changes it afterwards, so it may be read from any goroutine.
package process

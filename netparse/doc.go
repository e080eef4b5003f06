// Package netparse parses the application-layer bytes Vigil's network probes
// copy out of the kernel: DNS messages (with golang.org/x/net/dns/dnsmessage)
// and the first packet of an HTTP/1.x request. It knows nothing about BPF; the
// parsers take untrusted bytes, never panic and allocate little, and are
// fuzzed.
package netparse

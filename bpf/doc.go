// Package bpf loads Vigil's kernel programs, attaches what the kernel supports and decodes their events.
package bpf

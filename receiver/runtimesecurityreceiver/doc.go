//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml

// Package runtimesecurityreceiver turns Vigil's kernel events into OpenTelemetry logs and process-tree traces.
package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

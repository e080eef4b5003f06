// Package e2e tests the built otelcol-vigil distribution end to end.
package e2e

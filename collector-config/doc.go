// Package collectorconfig embeds Vigil's default collector configuration and serves it as the "vigil:" config source.
package collectorconfig // import "github.com/vigil-sec/vigil/collector-config"

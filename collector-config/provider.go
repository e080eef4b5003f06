package collectorconfig // import "github.com/vigil-sec/vigil/collector-config"

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

// Scheme is the config URI scheme this package serves: "vigil:default".
const Scheme = "vigil"

// DefaultURI names the embedded default configuration.
const DefaultURI = Scheme + ":default"

// Default is the embedded default configuration (default.yaml).
//
//go:embed default.yaml
var Default []byte

// OutputDir is where the default configuration's file exporters write:
// $VIGIL_OUTPUT_DIR, else /var/lib/vigil.
func OutputDir() string {
	if d := os.Getenv("VIGIL_OUTPUT_DIR"); d != "" {
		return d
	}
	return "/var/lib/vigil"
}

// NewFactory returns the factory of the "vigil:" config provider, listed in
// builder-config.yaml so otelcol-vigil can resolve "vigil:default".
func NewFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(confmap.ProviderSettings) confmap.Provider { return provider{} })
}

type provider struct{}

func (provider) Retrieve(_ context.Context, uri string, _ confmap.WatcherFunc) (*confmap.Retrieved, error) {
	name, ok := strings.CutPrefix(uri, Scheme+":")
	if !ok || name != "default" {
		return nil, fmt.Errorf("config uri %q: the vigil scheme serves only %q", uri, DefaultURI)
	}
	// The file exporters do not create their directory.
	if err := os.MkdirAll(OutputDir(), 0o750); err != nil {
		return nil, fmt.Errorf("creating output directory for %s (set VIGIL_OUTPUT_DIR to change it): %w", DefaultURI, err)
	}
	return confmap.NewRetrievedFromYAML(Default)
}

func (provider) Scheme() string                 { return Scheme }
func (provider) Shutdown(context.Context) error { return nil }

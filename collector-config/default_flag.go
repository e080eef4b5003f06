package collectorconfig // import "github.com/vigil-sec/vigil/collector-config"

import (
	"os"
	"strings"
)

// otelcol-vigil imports this package for its provider; this init makes the
// embedded default the config when the command line names none, so the
// distribution runs with no arguments. Subcommands and --help are left alone.
func init() {
	if strings.HasSuffix(os.Args[0], ".test") { // a go test binary parses its own flags
		return
	}
	os.Args = WithDefaultConfig(os.Args)
}

// WithDefaultConfig appends --config=vigil:default to args when they name no
// config and no subcommand or help flag.
func WithDefaultConfig(args []string) []string {
	for _, a := range args[1:] {
		switch {
		case a == "--config", a == "-c", strings.HasPrefix(a, "--config="), strings.HasPrefix(a, "-c="),
			a == "-h", a == "--help", a == "-v", a == "--version":
			return args
		case !strings.HasPrefix(a, "-"):
			// A subcommand (components, validate, featuregate, help) or
			// a flag's value: either way the user chose what to run.
			return args
		}
	}
	return append(args[:len(args):len(args)], "--config="+DefaultURI)
}

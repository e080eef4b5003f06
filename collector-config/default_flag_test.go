package collectorconfig

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestWithDefaultConfig(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"otelcol-vigil"}, []string{"otelcol-vigil", "--config=vigil:default"}},
		{[]string{"otelcol-vigil", "--feature-gates=x"}, []string{"otelcol-vigil", "--feature-gates=x", "--config=vigil:default"}},
		{[]string{"otelcol-vigil", "--config", "my.yaml"}, []string{"otelcol-vigil", "--config", "my.yaml"}},
		{[]string{"otelcol-vigil", "--config=my.yaml"}, []string{"otelcol-vigil", "--config=my.yaml"}},
		{[]string{"otelcol-vigil", "components"}, []string{"otelcol-vigil", "components"}},
		{[]string{"otelcol-vigil", "--help"}, []string{"otelcol-vigil", "--help"}},
	} {
		assert.Equal(t, tc.want, WithDefaultConfig(tc.args), "args %v", tc.args)
	}
}

func TestProviderServesDefault(t *testing.T) {
	t.Setenv("VIGIL_OUTPUT_DIR", t.TempDir())
	p := NewFactory().Create(confmap.ProviderSettings{})
	ret, err := p.Retrieve(context.Background(), DefaultURI, nil)
	require.NoError(t, err)
	conf, err := ret.AsConf()
	require.NoError(t, err)
	assert.True(t, conf.IsSet("receivers::runtime_security"))
	assert.True(t, conf.IsSet("service::pipelines::logs"))
	assert.True(t, conf.IsSet("service::pipelines::traces"))

	_, err = p.Retrieve(context.Background(), "vigil:other", nil)
	assert.ErrorContains(t, err, `serves only "vigil:default"`)
}

package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
)

// NewFactory returns the factory of the runtime_security receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithLogs(createLogs, metadata.LogsStability),
		receiver.WithTraces(createTraces, metadata.TracesStability),
	)
}

// One receiver instance serves both the logs and the traces pipelines of a
// component id: the kernel programs are loaded once and every event feeds both.
var (
	instancesMu sync.Mutex
	instances   = map[component.ID]*securityReceiver{}
)

func getOrCreate(set receiver.Settings, cfg *Config) (*securityReceiver, error) {
	instancesMu.Lock()
	defer instancesMu.Unlock()
	if r, ok := instances[set.ID]; ok {
		return r, nil
	}
	r, err := newSecurityReceiver(set, cfg, func() {
		instancesMu.Lock()
		delete(instances, set.ID)
		instancesMu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	instances[set.ID] = r
	return r, nil
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := getOrCreate(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setLogs(next)
	return r, nil
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := getOrCreate(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setTraces(next)
	return r, nil
}

package drivers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
)

// loaderHost is a TaskHost that counts the dependent-object loads.
type loaderHost struct {
	drivers.TaskHost // nil: only the loads are called
	loads            map[string]int
	fail             error
}

func (h *loaderHost) LoadPorts(context.Context) ([]*objects.Port, error) {
	h.loads["ports"]++
	return []*objects.Port{{Address: new("52:54:00:12:34:56")}}, h.fail
}

func (h *loaderHost) LoadPortgroups(context.Context) ([]*objects.Portgroup, error) {
	h.loads["portgroups"]++
	return []*objects.Portgroup{}, h.fail
}

func (h *loaderHost) LoadVolumeConnectors(context.Context) ([]*objects.VolumeConnector, error) {
	h.loads["connectors"]++
	return nil, h.fail
}

func (h *loaderHost) LoadVolumeTargets(context.Context) ([]*objects.VolumeTarget, error) {
	h.loads["targets"]++
	return []*objects.VolumeTarget{}, h.fail
}

func TestTaskLoadsDependentsOnFirstUse(t *testing.T) {
	ctx := t.Context()
	h := &loaderHost{loads: map[string]int{}}
	task := &drivers.Task{Node: &objects.Node{}, Host: h}
	if len(h.loads) != 0 {
		t.Fatalf("loaded before use: %v", h.loads)
	}
	for range 3 {
		ports, err := task.ListPorts(ctx)
		if err != nil || len(ports) != 1 || *ports[0].Address != "52:54:00:12:34:56" {
			t.Fatalf("ports %v, %v", ports, err)
		}
		if _, err := task.ListPortgroups(ctx); err != nil {
			t.Fatal(err)
		}
		// A loader that returns nil (no rows) is not asked again either.
		if _, err := task.ListVolumeConnectors(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := task.ListVolumeTargets(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"ports", "portgroups", "connectors", "targets"} {
		if h.loads[k] != 1 {
			t.Errorf("%s loaded %d times, want once", k, h.loads[k])
		}
	}

	// A failed load returns the error and is tried again next time.
	boom := errors.New("database gone")
	h2 := &loaderHost{loads: map[string]int{}, fail: boom}
	task2 := &drivers.Task{Node: &objects.Node{}, Host: h2}
	for range 2 {
		if _, err := task2.ListPorts(ctx); !errors.Is(err, boom) {
			t.Errorf("err %v", err)
		}
	}
	if h2.loads["ports"] != 2 {
		t.Errorf("failed load tried %d times", h2.loads["ports"])
	}

	// Ports set by hand (a driver's unit test) are used as they are.
	task3 := &drivers.Task{Node: &objects.Node{}, Host: h, Ports: []*objects.Port{}}
	if ports, err := task3.ListPorts(ctx); err != nil || ports == nil || len(ports) != 0 {
		t.Errorf("preset ports %v, %v", ports, err)
	}
}

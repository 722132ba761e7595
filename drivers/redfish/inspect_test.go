package redfish

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// inspectCase is what inspection finds on one System of a mockup; the
// integration test checks the same expectations against Debian's Ironic.
type inspectCase struct {
	name, mockup, system string
	props                map[string]any
	macs                 []string
	// ironicFails is the sushy exception Debian's Ironic 21.4 (sushy
	// 4.3.3) fails with on this System, after computing props: it reads
	// system.ethernet_interfaces and system.boot unguarded. The Go driver
	// finishes (no port, no boot_mode capability) instead.
	ironicFails string
}

func inspectCases() []inspectCase {
	return []inspectCase{
		{name: "rackmount1", mockup: redfishtest.MockupRackmount1, system: "/redfish/v1/Systems/437XR1138R2",
			// CPU1 has 16 threads, CPU2 is absent, FPGA1 has none; one
			// enabled 8 TB and one 4 TB disk; UEFI.
			props: map[string]any{"cpus": int64(16), "cpu_arch": "x86_64", "memory_mb": "98304", "local_gb": "3724",
				"capabilities": "boot_mode:uefi"},
			// VLAN1 repeats NIC 1's MAC; the host interface to the BMC is
			// enabled too.
			macs: []string{"12:44:6a:3b:04:11", "aa:bb:cc:dd:ee:00", "aa:bb:cc:dd:ee:fe"}},
		{name: "bladed", mockup: redfishtest.MockupBladed, system: "/redfish/v1/Systems/529QB9451R6",
			// Simple storage devices without capacity: disk-less; no
			// BootSourceOverrideMode, no NIC.
			props:       map[string]any{"cpus": int64(8), "cpu_arch": "x86_64", "memory_mb": "65536", "local_gb": "0"},
			ironicFails: "MissingAttributeError: The attribute EthernetInterfaces is missing"},
		{name: "smartnic-host", mockup: redfishtest.MockupSmartNIC, system: "/redfish/v1/Systems/437XR1138R2",
			props: map[string]any{"cpus": int64(16), "cpu_arch": "x86_64", "memory_mb": "98304", "local_gb": "3724",
				"capabilities": "boot_mode:uefi"},
			ironicFails: "MissingAttributeError: The attribute EthernetInterfaces is missing"},
		{name: "smartnic-dpu", mockup: redfishtest.MockupSmartNIC, system: "/redfish/v1/Systems/Card1-SoC",
			// An ARM SoC whose Storage has a 200 GiB drive and no volume;
			// no Boot object.
			props:       map[string]any{"cpus": int64(4), "cpu_arch": "arm", "memory_mb": "8192", "local_gb": "199"},
			ironicFails: "MissingAttributeError: The attribute Boot is missing"},
		{name: "telemetry", mockup: redfishtest.MockupTelemetry, system: "",
			// Two CPUs (16 + 12 threads), no storage, the only System.
			props: map[string]any{"cpus": int64(28), "cpu_arch": "x86_64", "memory_mb": "16384", "local_gb": "0",
				"capabilities": "boot_mode:uefi"},
			ironicFails: "MissingAttributeError: The attribute EthernetInterfaces is missing"},
	}
}

func portMACs(ports []*objects.Port) []string {
	var out []string
	for _, p := range ports {
		out = append(out, *p.Address)
	}
	return out
}

// TestInspectTopologies inspects one System of every mockup.
func TestInspectTopologies(t *testing.T) {
	for _, c := range inspectCases() {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, &redfishtest.Options{Mockup: c.mockup}, nil)
			task, host := e.task(e.info(c.system))
			state, err := e.d.Inspect().InspectHardware(t.Context(), task)
			if err != nil {
				t.Fatal(err)
			}
			if state != drivers.StateManageable {
				t.Errorf("state %q", state)
			}
			if diff := cmp.Diff(c.props, task.Node.Properties); diff != "" {
				t.Errorf("properties (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.macs, portMACs(task.Ports)); diff != "" {
				t.Errorf("ports (-want +got):\n%s", diff)
			}
			if host.saves != 1 {
				t.Errorf("node saved %d times", host.saves)
			}
			// Inspecting again keeps the ports.
			if _, err := e.d.Inspect().InspectHardware(t.Context(), task); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.macs, portMACs(task.Ports)); diff != "" {
				t.Errorf("ports after a second inspection (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectKeepsProperties(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	task.Node.Properties = map[string]any{"capabilities": "secure_boot:true,boot_mode:bios", "root_device": map[string]any{"size": int64(10)}}
	if _, err := e.d.Inspect().InspectHardware(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	p := task.Node.Properties
	if p["capabilities"] != "secure_boot:true,boot_mode:bios" {
		t.Errorf("an operator's boot_mode was overwritten: %v", p["capabilities"])
	}
	if _, ok := p["root_device"]; !ok {
		t.Error("other properties were dropped")
	}

	task.Node.Properties = map[string]any{"capabilities": "secure_boot:true"}
	if _, err := e.d.Inspect().InspectHardware(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	if got := task.Node.Properties["capabilities"]; got != "secure_boot:true,boot_mode:uefi" {
		t.Errorf("capabilities = %v", got)
	}

	task.Node.Properties = map[string]any{"capabilities": "broken"}
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "HardwareInspectionFailure", "Invalid capabilities string 'broken'.")
}

func TestInspectMissingEssential(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, host := e.task(e.info(""))
	// A BMC that lists no processors and no memory.
	e.srv.SetResource(rackSystem+"/Processors", []byte(`{"Members": [], "Members@odata.count": 0}`))
	doc := systemDoc(t, e, rackSystem)
	delete(doc, "MemorySummary")
	setDoc(t, e, rackSystem, doc)
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "HardwareInspectionFailure",
		"Failed to inspect hardware. Reason: Failed to discover the following properties: cpu_arch, cpus, memory_mb on node "+testNodeUUID)
	if host.saves != 0 || len(task.Node.Properties) != 0 || len(task.Ports) != 0 {
		t.Errorf("a failed inspection changed the node: saves=%d props=%v ports=%d", host.saves, task.Node.Properties, len(task.Ports))
	}
	// Properties already known are enough.
	task.Node.Properties = map[string]any{"cpus": int64(2), "cpu_arch": "x86_64", "memory_mb": int64(1024)}
	if _, err := e.d.Inspect().InspectHardware(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	if task.Node.Properties["memory_mb"] != int64(1024) {
		t.Errorf("memory_mb = %v", task.Node.Properties["memory_mb"])
	}
}

func TestInspectUnknownArch(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	proc := []byte(`{"@odata.id": "/redfish/v1/Systems/437XR1138R2/Processors/CPU1", "Id": "CPU1",
		"ProcessorArchitecture": "Power", "TotalThreads": 8, "Status": {"State": "Enabled", "Health": "OK"}}`)
	e.srv.SetResource(rackSystem+"/Processors/CPU1", proc)
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "HardwareInspectionFailure", "cpu_arch")
	if !containsLog(e, "unknown CPU arch") {
		t.Error("the unknown arch was not logged")
	}
}

func TestInspectPortErrors(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, host := e.task(e.info(""))
	// A port created elsewhere with the same MAC: MACAlreadyExists is
	// not an error.
	other := &drivers.Task{Node: &objects.Node{ID: 99}}
	host2 := &fakeHost{task: other}
	if _, err := host2.CreatePort(t.Context(), &objects.Port{Address: new("aa:bb:cc:dd:ee:00")}); err != nil {
		t.Fatal(err)
	}
	task.Ports = append(task.Ports, other.Ports...)
	if _, err := e.d.Inspect().InspectHardware(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	if got := portMACs(task.Ports); !slices.Equal(got, []string{"aa:bb:cc:dd:ee:00", "12:44:6a:3b:04:11", "aa:bb:cc:dd:ee:fe"}) {
		t.Errorf("ports = %v", got)
	}
	_ = host

	// Without a conductor able to create ports, inspection fails.
	task2, _ := e.task(e.info(""))
	task2.Host = nil
	_, err := e.d.Inspect().InspectHardware(t.Context(), task2)
	if !errors.Is(err, drivers.ErrNoHost) {
		t.Errorf("inspection without a host: %v", err)
	}
}

func TestInspectEthernetUnreadable(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	e.srv.SetResource(rackSystem+"/EthernetInterfaces", []byte(`{"Members": "nope"}`))
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "RedfishError", "Cannot read the ethernet interfaces of node "+testNodeUUID)
	if !errors.Is(err, exception.ErrDriverOperationError) {
		t.Errorf("RedfishError is not a DriverOperationError: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	for _, c := range []struct{ in, key, want string }{
		{"", "boot_mode", ""},
		{"boot_mode:uefi", "boot_mode", "uefi"},
		{"a:1, boot_mode : bios ,c:3", "boot_mode", "bios"},
		{"boot_mode:uefi:x", "boot_mode", ""},
		{"boot_mode", "boot_mode", ""},
	} {
		if got := nodeCapability(c.in, c.key); got != c.want {
			t.Errorf("nodeCapability(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"", "boot_mode:uefi"},
		{"a:1", "a:1,boot_mode:uefi"},
		{"boot_mode:bios,a:1", "boot_mode:uefi,a:1"},
	} {
		if got, err := updatedCapabilities(c.in, "boot_mode", "uefi"); err != nil || got != c.want {
			t.Errorf("updatedCapabilities(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestInspectPaginationLoop: a collection whose next page is itself must
// not make the driver loop.
func TestInspectPaginationLoop(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	coll := rackSystem + "/Processors"
	e.srv.SetResource(coll, []byte(`{"@odata.id": "`+coll+`", "Members": [], "Members@odata.nextLink": "`+coll+`"}`))
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "RedfishError", "Cannot read the processors of node "+testNodeUUID)
	if !errors.Is(err, ErrMalformed) && !strings.Contains(err.Error(), "too many requests") {
		t.Errorf("err = %v", err)
	}
	if n := len(e.srv.Requests()); n > maxRequestsPerOp+10 {
		t.Errorf("%d requests", n)
	}
}

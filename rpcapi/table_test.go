package rpcapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// specRow is a row of ironic_1_40.md §2.1, transcribed by hand: the
// method table must agree with it.
type specRow struct {
	version string
	kind    Kind
	route   Route
	args    string // exact keys, in order
}

var spec140 = map[string]specRow{
	"create_node":                        {"1.36", Call, RouteNode, "node_obj"},
	"update_node":                        {"1.1", Call, RouteNode, "node_obj"},
	"change_node_power_state":            {"1.39", Call, RouteNode, "node_id new_state timeout"},
	"vendor_passthru":                    {"1.20", Call, RouteNode, "node_id driver_method http_method info"},
	"driver_vendor_passthru":             {"1.20", Call, RouteDriver, "driver_name driver_method http_method info"},
	"get_node_vendor_passthru_methods":   {"1.21", Call, RouteNode, "node_id"},
	"get_driver_vendor_passthru_methods": {"1.21", Call, RouteDriver, "driver_name"},
	"do_node_deploy":                     {"1.22", Call, RouteNode, "node_id rebuild configdrive"},
	"do_node_tear_down":                  {"1.6", Call, RouteNode, "node_id"},
	"do_provisioning_action":             {"1.23", Call, RouteNode, "node_id action"},
	"continue_node_clean":                {"1.27", Cast, RouteNode, "node_id"},
	"validate_driver_interfaces":         {"1.5", Call, RouteNode, "node_id"},
	"destroy_node":                       {"1.9", Call, RouteNode, "node_id"},
	"get_console_information":            {"1.11", Call, RouteNode, "node_id"},
	"set_console_mode":                   {"1.11", Call, RouteNode, "node_id enabled"},
	"update_port":                        {"1.13", Call, RouteNode, "port_obj"},
	"update_portgroup":                   {"1.33", Call, RouteNode, "portgroup_obj"},
	"destroy_portgroup":                  {"1.33", Call, RouteNode, "portgroup"},
	"get_driver_properties":              {"1.16", Call, RouteDriver, "driver_name"},
	"set_boot_device":                    {"1.17", Call, RouteNode, "node_id device persistent"},
	"get_boot_device":                    {"1.17", Call, RouteNode, "node_id"},
	"inject_nmi":                         {"1.40", Call, RouteNode, "node_id"},
	"get_supported_boot_devices":         {"1.17", Call, RouteNode, "node_id"},
	"inspect_hardware":                   {"1.24", Call, RouteNode, "node_id"},
	"destroy_port":                       {"1.25", Call, RouteNode, "port"},
	"set_target_raid_config":             {"1.30", Call, RouteNode, "node_id target_raid_config"},
	"get_raid_logical_disk_properties":   {"1.30", Call, RouteDriver, "driver_name"},
	"do_node_clean":                      {"1.32", Call, RouteNode, "node_id clean_steps"},
	"heartbeat":                          {"1.34", Call, RouteNode, "node_id callback_url"},
	"object_class_action_versions":       {"1.31", Call, RouteBare, "objname objmethod object_versions args kwargs"},
	"object_action":                      {"1.31", Call, RouteBare, "objinst objmethod args kwargs"},
	"object_backport_versions":           {"1.31", Call, RouteBare, "objinst object_versions"},
	"destroy_volume_connector":           {"1.35", Call, RouteNode, "connector"},
	"update_volume_connector":            {"1.35", Call, RouteNode, "connector"},
	"destroy_volume_target":              {"1.37", Call, RouteNode, "target"},
	"update_volume_target":               {"1.37", Call, RouteNode, "target"},
	"vif_attach":                         {"1.38", Call, RouteNode, "node_id vif_info"},
	"vif_detach":                         {"1.38", Call, RouteNode, "node_id vif_id"},
	"vif_list":                           {"1.38", Call, RouteNode, "node_id"},
}

// optionalArgs are the arguments with a default in the 1.40 conductor's
// signatures.
var optionalArgs = map[string]bool{"change_node_power_state.timeout": true, "do_node_deploy.rebuild": true,
	"do_node_deploy.configdrive": true, "set_boot_device.persistent": true}

func TestTableMatchesSpec(t *testing.T) {
	methods := Methods()
	var names []string
	for _, m := range methods {
		names = append(names, m.Name)
		row, ok := spec140[m.Name]
		if !ok {
			t.Errorf("%s is not a 1.40 method", m.Name)
			continue
		}
		if m.Version.String() != row.version || m.Kind != row.kind || m.Route != row.route {
			t.Errorf("%s: %s %s %s, spec %s %s %s", m.Name, m.Version, m.Kind, m.Route, row.version, row.kind, row.route)
		}
		var args []string
		for _, a := range m.Args {
			args = append(args, a.Name)
			if a.Optional != optionalArgs[m.Name+"."+a.Name] {
				t.Errorf("%s.%s: optional=%v", m.Name, a.Name, a.Optional)
			}
			if a.Since.Less(m.MinVersion) || m.Version.Less(a.Since) {
				t.Errorf("%s.%s: since %s outside [%s, %s]", m.Name, a.Name, a.Since, m.MinVersion, m.Version)
			}
		}
		if strings.Join(args, " ") != row.args {
			t.Errorf("%s: args %v, spec %q", m.Name, args, row.args)
		}
		if m.Version.Less(messaging.V(1, 0)) || APIVersion().Less(m.Version) {
			t.Errorf("%s: version %s outside 1.0..1.40", m.Name, m.Version)
		}
		for _, r := range m.Raises {
			if _, ok := exception.Lookup(r); !ok {
				t.Errorf("%s raises %s, not an Ironic exception class", m.Name, r)
			}
		}
		if m.Kind == Call && m.Route != RouteBare && len(m.Raises) == 0 {
			t.Errorf("%s: no exceptions listed", m.Name)
		}
		if m.Result == "" {
			t.Errorf("%s: no result type", m.Name)
		}
	}
	want := make([]string, 0, len(spec140))
	for n := range spec140 {
		want = append(want, n)
	}
	slices.Sort(want)
	if !cmp.Equal(names, want) {
		t.Errorf("table methods differ from the spec:\n%s", cmp.Diff(want, names))
	}
	if len(methods) != 39 {
		t.Errorf("%d methods, want 39", len(methods))
	}
}

func TestDowngradeVersions(t *testing.T) {
	for _, tc := range []struct {
		method  string
		version string
		min     string
	}{
		{MethodChangeNodePowerState, "1.39", "1.6"},
		{MethodDoNodeDeploy, "1.22", "1.6"},
		{MethodInjectNMI, "1.40", "1.40"},
	} {
		i := slices.IndexFunc(Methods(), func(m MethodInfo) bool { return m.Name == tc.method })
		m := Methods()[i]
		if m.Version.String() != tc.version || m.MinVersion.String() != tc.min {
			t.Errorf("%s: %s (min %s), want %s (min %s)", tc.method, m.Version, m.MinVersion, tc.version, tc.min)
		}
	}
}

func TestMethodsReturnsCopies(t *testing.T) {
	m := Methods()
	m[0].Args[0].Name = "changed"
	m[0].Raises = append(m[0].Raises[:0], "changed")
	if again := Methods(); again[0].Args[0].Name == "changed" || (len(again[0].Raises) > 0 && again[0].Raises[0] == "changed") {
		t.Fatal("Methods() exposes the table")
	}
	info := RPCChangeNodePowerState.Info()
	info.Args[2].Name = "x"
	if RPCChangeNodePowerState.Info().Args[2].Name != "timeout" {
		t.Fatal("Info() exposes the table")
	}
	if RPCChangeNodePowerState.Name() != MethodChangeNodePowerState || RPCChangeNodePowerState.Version() != messaging.V(1, 39) {
		t.Fatal("Name/Version")
	}
}

func TestDefinePanicsOnBadDeclarations(t *testing.T) {
	type noTag struct{ X string }
	type newReq struct {
		A string `json:"a" rpc:"since=1.5"`
	}
	type badTag struct {
		A string `json:"a" rpc:"sometimes"`
	}
	type ok struct {
		A string `json:"a" rpc:"optional,since=1.5"`
	}
	for name, f := range map[string]func(){
		"not a struct":       func() { define[int, None]("x", "1.0", "", Call, RouteNode) },
		"no wire name":       func() { define[noTag, None]("x", "1.0", "", Call, RouteNode) },
		"required newer":     func() { define[newReq, None]("x", "1.5", "1.0", Call, RouteNode) },
		"unknown tag":        func() { define[badTag, None]("x", "1.0", "", Call, RouteNode) },
		"version too high":   func() { define[ok, None]("x", "1.6", "1.0", Call, RouteNode) },
		"arg older than min": func() { define[ok, None]("x", "1.6", "1.6", Call, RouteNode) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			before := len(Methods())
			defer func() {
				if len(Methods()) != before {
					t.Error("a bad declaration was registered")
				}
			}()
			f()
		})
	}
}

func TestKindRouteStrings(t *testing.T) {
	if Call.String() != "call" || Cast.String() != "cast" || RouteNode.String() != "node" ||
		RouteDriver.String() != "driver" || RouteBare.String() != "bare" {
		t.Fatal("String()")
	}
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
)

// command is one row of the command table.
type command struct {
	name  string
	args  string // positional arguments, for the usage line
	nargs int    // how many positional arguments it takes
	help  string
	flags func(fs *flag.FlagSet, o *opts)
	run   func(ctx context.Context, e *env, o *opts, args []string) error
}

// opts holds every command's flags; each command registers those it uses.
type opts struct {
	driver, name, uuid, resourceClass string
	driverInfo, properties            keyValues
	fields                            string
	wait                              int
	soft                              bool
	powerTimeout                      int
	persistent                        bool
	cleanSteps                        string
}

var commands = []*command{
	{name: "node-create", help: "enroll a node (create_node) and print it", flags: createFlags, run: nodeCreate},
	{name: "node-list", help: "list the nodes", run: nodeList},
	{name: "node-show", args: "NODE", nargs: 1, help: "show a node's fields", flags: fieldsFlag, run: nodeShow},
	{name: "node-delete", args: "NODE", nargs: 1, help: "delete a node (destroy_node)", run: nodeDelete},
	{name: "node-set-provision-state", args: "NODE VERB", nargs: 2, flags: provisionFlags, run: provision(""),
		help: "manage, provide, deploy (active), rebuild, undeploy (deleted), inspect, clean, abort or adopt"},
	{name: "node-manage", args: "NODE", nargs: 1, flags: waitFlag, run: provision("manage"), help: "node-set-provision-state NODE manage"},
	{name: "node-provide", args: "NODE", nargs: 1, flags: waitFlag, run: provision("provide"), help: "node-set-provision-state NODE provide"},
	{name: "node-deploy", args: "NODE", nargs: 1, flags: waitFlag, run: provision("deploy"), help: "node-set-provision-state NODE deploy"},
	{name: "node-undeploy", args: "NODE", nargs: 1, flags: waitFlag, run: provision("undeploy"), help: "node-set-provision-state NODE undeploy"},
	{name: "node-set-power-state", args: "NODE on|off|reboot", nargs: 2, flags: powerFlags, run: nodePower,
		help: "change the power state (change_node_power_state)"},
	{name: "node-validate", args: "NODE", nargs: 1, help: "validate the node's interfaces", run: nodeValidate},
	{name: "node-get-boot-device", args: "NODE", nargs: 1, help: "show the boot device", run: nodeGetBootDevice},
	{name: "node-set-boot-device", args: "NODE DEVICE", nargs: 2, help: "set the boot device (pxe, disk, cdrom, bios, safe)",
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.BoolVar(&o.persistent, "persistent", false, "for every boot, not only the next one")
		}, run: nodeSetBootDevice},
	{name: "driver-list", help: "list the hardware types of the live conductors", run: driverList},
	{name: "driver-properties", args: "DRIVER", nargs: 1, help: "list a driver's driver_info properties", run: driverProperties},
	{name: "conductor-list", help: "list the conductors", run: conductorList},
}

// keyValues is a repeatable KEY=VALUE flag.
type keyValues map[string]any

func (kv *keyValues) String() string { return "" }

func (kv *keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	if *kv == nil {
		*kv = keyValues{}
	}
	(*kv)[k] = v
	return nil
}

func createFlags(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.driver, "driver", "", "hardware type (required), e.g. fake-hardware")
	fs.StringVar(&o.name, "name", "", "node name")
	fs.StringVar(&o.uuid, "uuid", "", "node UUID (default: a new one)")
	fs.StringVar(&o.resourceClass, "resource-class", "", "resource class")
	fs.Var(&o.driverInfo, "driver-info", "KEY=VALUE of driver_info (repeatable)")
	fs.Var(&o.properties, "property", "KEY=VALUE of properties (repeatable)")
}

func fieldsFlag(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.fields, "fields", "", "comma-separated fields to show (default: all)")
}

func waitFlag(fs *flag.FlagSet, o *opts) {
	fs.IntVar(&o.wait, "wait", 0, "wait up to this many seconds for the node to reach the state (0: do not wait)")
}

func provisionFlags(fs *flag.FlagSet, o *opts) {
	waitFlag(fs, o)
	fs.StringVar(&o.cleanSteps, "clean-steps", "", `clean steps for "clean", as JSON: [{"interface": "deploy", "step": "erase_devices"}]`)
}

func powerFlags(fs *flag.FlagSet, o *opts) {
	waitFlag(fs, o)
	fs.BoolVar(&o.soft, "soft", false, "soft power off or soft reboot")
	fs.IntVar(&o.powerTimeout, "power-timeout", 0, "seconds the driver may take (0: the conductor's default)")
}

func nodeCreate(ctx context.Context, e *env, o *opts, _ []string) error {
	if o.driver == "" {
		return fmt.Errorf("%w: --driver is required", errUsage)
	}
	id := o.uuid
	if id == "" {
		id = uuid.NewString()
	}
	// As ironic-api builds a new node: a UUID, enroll, no power state.
	n := &objects.Node{UUID: &id, Driver: &o.driver, ProvisionState: new("enroll"),
		DriverInfo: o.driverInfo, Properties: o.properties}
	if o.name != "" {
		n.Name = &o.name
	}
	if o.resourceClass != "" {
		n.ResourceClass = &o.resourceClass
	}
	api, err := e.rpc(ctx)
	if err != nil {
		return err
	}
	topic, err := api.GetTopicFor(ctx, n)
	if err != nil {
		return err
	}
	got, err := api.CreateNode(ctx, n, withTopic(topic))
	if err != nil {
		return err
	}
	printNode(e.stdout, got, nil)
	return nil
}

func nodeList(ctx context.Context, e *env, _ *opts, _ []string) error {
	store, err := e.db(ctx)
	if err != nil {
		return err
	}
	nodes, err := store.ListNodes(ctx, db.NodeFilter{}, db.ListOptions{})
	if err != nil {
		return err
	}
	rows := [][]string{{"UUID", "Name", "Instance UUID", "Power State", "Provisioning State", "Maintenance"}}
	for _, n := range nodes {
		rows = append(rows, []string{str(n.UUID), str(n.Name), str(n.InstanceUUID), str(n.PowerState),
			str(n.ProvisionState), fmt.Sprint(n.Maintenance)})
	}
	printTable(e.stdout, rows)
	return nil
}

func nodeShow(ctx context.Context, e *env, o *opts, args []string) error {
	n, err := e.node(ctx, args[0])
	if err != nil {
		return err
	}
	var fields []string
	if o.fields != "" {
		valid := objects.FieldNames(n)
		for _, f := range strings.Split(o.fields, ",") {
			if f = strings.TrimSpace(f); !slices.Contains(valid, f) {
				return fmt.Errorf("unknown node field %q (fields: %s)", f, strings.Join(valid, ", "))
			}
			fields = append(fields, f)
		}
	}
	printNode(e.stdout, n, fields)
	return nil
}

func nodeDelete(ctx context.Context, e *env, _ *opts, args []string) error {
	n, api, topic, err := e.routed(ctx, args[0])
	if err != nil {
		return err
	}
	if err := api.DestroyNode(ctx, *n.UUID, topic); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Deleted node %s\n", *n.UUID)
	return nil
}

// provisionVerbs maps a verb of the provision-state API to the state a
// node reaches when the action succeeds ("" when it depends).
var provisionVerbs = map[string]string{
	"manage": "manageable", "provide": "available", "deploy": "active", "active": "active",
	"rebuild": "active", "undeploy": "available", "deleted": "available", "inspect": "manageable",
	"clean": "manageable", "abort": "", "adopt": "active",
}

// provision returns the run function of a provision-state command; verb
// "" takes it from the second argument.
func provision(verb string) func(ctx context.Context, e *env, o *opts, args []string) error {
	return func(ctx context.Context, e *env, o *opts, args []string) error {
		v := verb
		if v == "" {
			v = args[1]
		}
		want, ok := provisionVerbs[v]
		if !ok {
			return fmt.Errorf("unknown provision verb %q (one of %s)", v, strings.Join(slices.Sorted(maps.Keys(provisionVerbs)), ", "))
		}
		var steps []map[string]any
		if v == "clean" {
			if err := json.Unmarshal([]byte(o.cleanSteps), &steps); err != nil || len(steps) == 0 {
				return fmt.Errorf(`"clean" needs --clean-steps, a JSON list of steps`)
			}
		}
		n, api, topic, err := e.routed(ctx, args[0])
		if err != nil {
			return err
		}
		id := *n.UUID
		switch v {
		case "deploy", "active":
			err = api.DoNodeDeploy(ctx, id, false, "", topic)
		case "rebuild":
			err = api.DoNodeDeploy(ctx, id, true, "", topic)
		case "undeploy", "deleted":
			err = api.DoNodeTearDown(ctx, id, topic)
		case "inspect":
			err = api.InspectHardware(ctx, id, topic)
		case "clean":
			err = api.DoNodeClean(ctx, id, steps, topic)
		default:
			err = api.DoProvisioningAction(ctx, id, v, topic)
		}
		if err != nil {
			return err
		}
		if o.wait <= 0 {
			fmt.Fprintf(e.stdout, "Node %s: %s requested\n", id, v)
			return nil
		}
		got, err := e.waitIdle(ctx, id, o.wait, func(n *objects.Node) bool { return n.TargetProvisionState == nil })
		if err != nil {
			return err
		}
		if want != "" && str(got.ProvisionState) != want {
			return fmt.Errorf("node %s is %s, not %s, after %s (last_error: %s)", id, str(got.ProvisionState), want, v, str(got.LastError))
		}
		fmt.Fprintf(e.stdout, "Node %s: provision state %s\n", id, str(got.ProvisionState))
		return nil
	}
}

// powerStates maps the CLI's power verbs to Ironic's target states and
// the state reached.
var powerStates = map[string][2]string{
	"on":          {"power on", "power on"},
	"off":         {"power off", "power off"},
	"reboot":      {"rebooting", "power on"},
	"soft-off":    {"soft power off", "power off"},
	"soft-reboot": {"soft rebooting", "power on"},
}

func nodePower(ctx context.Context, e *env, o *opts, args []string) error {
	verb := args[1]
	if o.soft && (verb == "off" || verb == "reboot") {
		verb = "soft-" + verb
	}
	ps, ok := powerStates[verb]
	if !ok {
		return fmt.Errorf("unknown power state %q (on, off or reboot)", args[1])
	}
	n, api, topic, err := e.routed(ctx, args[0])
	if err != nil {
		return err
	}
	id := *n.UUID
	if err := api.ChangeNodePowerState(ctx, id, ps[0], o.powerTimeout, topic); err != nil {
		return err
	}
	if o.wait <= 0 {
		fmt.Fprintf(e.stdout, "Node %s: %s requested\n", id, ps[0])
		return nil
	}
	got, err := e.waitIdle(ctx, id, o.wait, func(n *objects.Node) bool { return n.TargetPowerState == nil })
	if err != nil {
		return err
	}
	if str(got.PowerState) != ps[1] {
		return fmt.Errorf("node %s is %s, not %s (last_error: %s)", id, str(got.PowerState), ps[1], str(got.LastError))
	}
	fmt.Fprintf(e.stdout, "Node %s: power state %s\n", id, ps[1])
	return nil
}

// waitIdle polls the node until no conductor holds it and idle holds, for
// at most secs seconds. A conductor keeps the node locked until its
// background work ends, so an unlocked node after the RPC returned is one
// whose work is done.
func (e *env) waitIdle(ctx context.Context, id string, secs int, idle func(*objects.Node) bool) (*objects.Node, error) {
	store, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := store.GetNodeByUUID(ctx, id)
		if err == nil && n.Reservation == nil && idle(n) {
			return n, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("provision_state %s, target %s, power_state %s, reserved by %s",
					str(n.ProvisionState), str(n.TargetProvisionState), str(n.PowerState), str(n.Reservation))
			}
			return nil, fmt.Errorf("node %s: gave up waiting after %ds: %w", id, secs, err)
		case <-tick.C:
		}
	}
}

func nodeValidate(ctx context.Context, e *env, _ *opts, args []string) error {
	n, api, topic, err := e.routed(ctx, args[0])
	if err != nil {
		return err
	}
	res, err := api.ValidateDriverInterfaces(ctx, *n.UUID, topic)
	if err != nil {
		return err
	}
	rows := [][]string{{"Interface", "Result", "Reason"}}
	for _, k := range slices.Sorted(maps.Keys(res)) {
		r := res[k]
		result := "None"
		if r.Result != nil {
			result = fmt.Sprint(*r.Result)
		}
		rows = append(rows, []string{k, result, str(r.Reason)})
	}
	printTable(e.stdout, rows)
	return nil
}

func nodeGetBootDevice(ctx context.Context, e *env, _ *opts, args []string) error {
	n, api, topic, err := e.routed(ctx, args[0])
	if err != nil {
		return err
	}
	bd, err := api.GetBootDevice(ctx, *n.UUID, topic)
	if err != nil {
		return err
	}
	persistent := "None"
	if bd.Persistent != nil {
		persistent = fmt.Sprint(*bd.Persistent)
	}
	printTable(e.stdout, [][]string{{"Field", "Value"}, {"boot_device", str(bd.BootDevice)}, {"persistent", persistent}})
	return nil
}

func nodeSetBootDevice(ctx context.Context, e *env, o *opts, args []string) error {
	n, api, topic, err := e.routed(ctx, args[0])
	if err != nil {
		return err
	}
	if err := api.SetBootDevice(ctx, *n.UUID, args[1], o.persistent, topic); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Node %s: boot device %s (persistent: %v)\n", *n.UUID, args[1], o.persistent)
	return nil
}

func driverList(ctx context.Context, e *env, _ *opts, _ []string) error {
	store, err := e.db(ctx)
	if err != nil {
		return err
	}
	types, err := store.ActiveHardwareTypes(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{{"Supported driver(s)", "Active host(s)"}}
	for _, t := range slices.Sorted(maps.Keys(types)) {
		rows = append(rows, []string{t, strings.Join(types[t], ", ")})
	}
	printTable(e.stdout, rows)
	return nil
}

func driverProperties(ctx context.Context, e *env, _ *opts, args []string) error {
	api, err := e.rpc(ctx)
	if err != nil {
		return err
	}
	topic, err := api.GetTopicForDriver(ctx, args[0])
	if err != nil {
		return err
	}
	props, err := api.GetDriverProperties(ctx, args[0], withTopic(topic))
	if err != nil {
		return err
	}
	rows := [][]string{{"Property", "Description"}}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		rows = append(rows, []string{k, props[k]})
	}
	printTable(e.stdout, rows)
	return nil
}

func conductorList(ctx context.Context, e *env, _ *opts, _ []string) error {
	store, err := e.db(ctx)
	if err != nil {
		return err
	}
	all, err := store.ListConductors(ctx)
	if err != nil {
		return err
	}
	alive, err := store.OnlineConductors(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{{"Hostname", "Conductor Group", "Alive"}}
	for _, c := range all {
		rows = append(rows, []string{c.Hostname, c.ConductorGroup, fmt.Sprint(c.Online && slices.Contains(alive, c.Hostname))})
	}
	printTable(e.stdout, rows)
	return nil
}

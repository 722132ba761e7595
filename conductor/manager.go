package conductor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// Manager serves every method of conductor RPC API 1.40 with Ironic's
// semantics (ironic.conductor.manager.ConductorManager at 7.0.0): node
// locks, validations, the exceptions Ironic raises, background work that
// keeps the lock, and error hooks that restore state when the worker pool
// is full.
type Manager struct {
	cfg   Config
	store db.API
	reg   *drivers.Registry
	tm    *TaskManager
	pool  *WorkerPool
	log   zerolog.Logger
	// conductorID is this conductor's row id (conductor_affinity); set by
	// the Service once registered.
	conductorID int64
}

// NewManager returns a manager; the Service wires it.
func NewManager(cfg Config, store db.API, reg *drivers.Registry, pool *WorkerPool) *Manager {
	m := &Manager{cfg: cfg, store: store, reg: reg, pool: pool, log: cfg.Logger.With().Str("component", "manager").Logger()}
	m.tm = NewTaskManager(store, reg, pool, cfg)
	return m
}

// TaskManager returns the manager's task manager.
func (m *Manager) TaskManager() *TaskManager { return m.tm }

// Endpoint returns the RPC endpoint serving every method of the table.
func (m *Manager) Endpoint() *rpcapi.Endpoint {
	e := rpcapi.NewEndpoint(m.log)
	rpcapi.Register(e, rpcapi.RPCCreateNode, m.createNode)
	rpcapi.Register(e, rpcapi.RPCUpdateNode, m.updateNode)
	rpcapi.Register(e, rpcapi.RPCChangeNodePowerState, m.changeNodePowerState)
	rpcapi.Register(e, rpcapi.RPCVendorPassthru, m.vendorPassthru)
	rpcapi.Register(e, rpcapi.RPCDriverVendorPassthru, m.driverVendorPassthru)
	rpcapi.Register(e, rpcapi.RPCGetNodeVendorPassthruMethods, m.getNodeVendorPassthruMethods)
	rpcapi.Register(e, rpcapi.RPCGetDriverVendorPassthruMethods, m.getDriverVendorPassthruMethods)
	rpcapi.Register(e, rpcapi.RPCDoNodeDeploy, m.doNodeDeploy)
	rpcapi.Register(e, rpcapi.RPCDoNodeTearDown, m.doNodeTearDown)
	rpcapi.Register(e, rpcapi.RPCDoProvisioningAction, m.doProvisioningAction)
	rpcapi.Register(e, rpcapi.RPCContinueNodeClean, m.continueNodeClean)
	rpcapi.Register(e, rpcapi.RPCValidateDriverInterfaces, m.validateDriverInterfaces)
	rpcapi.Register(e, rpcapi.RPCDestroyNode, m.destroyNode)
	rpcapi.Register(e, rpcapi.RPCGetConsoleInformation, m.getConsoleInformation)
	rpcapi.Register(e, rpcapi.RPCSetConsoleMode, m.setConsoleMode)
	rpcapi.Register(e, rpcapi.RPCUpdatePort, m.updatePort)
	rpcapi.Register(e, rpcapi.RPCUpdatePortgroup, m.updatePortgroup)
	rpcapi.Register(e, rpcapi.RPCDestroyPortgroup, m.destroyPortgroup)
	rpcapi.Register(e, rpcapi.RPCGetDriverProperties, m.getDriverProperties)
	rpcapi.Register(e, rpcapi.RPCSetBootDevice, m.setBootDevice)
	rpcapi.Register(e, rpcapi.RPCGetBootDevice, m.getBootDevice)
	rpcapi.Register(e, rpcapi.RPCInjectNMI, m.injectNMI)
	rpcapi.Register(e, rpcapi.RPCGetSupportedBootDevices, m.getSupportedBootDevices)
	rpcapi.Register(e, rpcapi.RPCInspectHardware, m.inspectHardware)
	rpcapi.Register(e, rpcapi.RPCDestroyPort, m.destroyPort)
	rpcapi.Register(e, rpcapi.RPCSetTargetRAIDConfig, m.setTargetRAIDConfig)
	rpcapi.Register(e, rpcapi.RPCGetRAIDLogicalDiskProperties, m.getRAIDLogicalDiskProperties)
	rpcapi.Register(e, rpcapi.RPCDoNodeClean, m.doNodeClean)
	rpcapi.Register(e, rpcapi.RPCHeartbeat, m.heartbeat)
	rpcapi.Register(e, rpcapi.RPCObjectClassActionVersions, m.objectClassActionVersions)
	rpcapi.Register(e, rpcapi.RPCObjectAction, m.objectAction)
	rpcapi.Register(e, rpcapi.RPCObjectBackportVersions, m.objectBackportVersions)
	rpcapi.Register(e, rpcapi.RPCDestroyVolumeConnector, m.destroyVolumeConnector)
	rpcapi.Register(e, rpcapi.RPCUpdateVolumeConnector, m.updateVolumeConnector)
	rpcapi.Register(e, rpcapi.RPCDestroyVolumeTarget, m.destroyVolumeTarget)
	rpcapi.Register(e, rpcapi.RPCUpdateVolumeTarget, m.updateVolumeTarget)
	rpcapi.Register(e, rpcapi.RPCVIFAttach, m.vifAttach)
	rpcapi.Register(e, rpcapi.RPCVIFDetach, m.vifDetach)
	rpcapi.Register(e, rpcapi.RPCVIFList, m.vifList)
	return e
}

// MapError gives a handler error that has no Python identity Ironic's:
// IronicException (500) with the error's text, as an unexpected exception
// in a Python conductor would reach the API.
func MapError(err error) *exception.Error { return exception.FromError(err) }

type none = rpcapi.None

// withNode acquires the node named by an RPC node_id and runs fn under the
// lock (see TaskManager.With).
func (m *Manager) withNode(ctx context.Context, id rpcapi.NodeID, opts AcquireOptions, fn func(t *Task) error) error {
	ref, err := ParseNodeRef(string(id))
	if err != nil {
		return err
	}
	return m.tm.With(ctx, ref, opts, fn)
}

func exclusive(purpose string) AcquireOptions { return AcquireOptions{Purpose: purpose} }
func shared(purpose string) AcquireOptions    { return AcquireOptions{Shared: true, Purpose: purpose} }

// iface returns the task's interface of type t, or UnsupportedDriverExtension.
func iface[T any](t *Task, it drivers.InterfaceType) (T, error) {
	var zero T
	if t.Driver == nil {
		return zero, exception.UnsupportedDriverExtension(t.DriverName(), string(it))
	}
	i, ok := t.Driver.Interface(it).(T)
	if !ok || isNoop(t.Driver.Name(it)) {
		return zero, exception.UnsupportedDriverExtension(t.DriverName(), string(it))
	}
	return i, nil
}

// isNoop tells the "no-*" implementations, which Ironic's drivers treat as
// an absent interface for the extension checks.
func isNoop(name string) bool { return strings.HasPrefix(name, "no-") }

// setLastError sets the node's last_error (nil clears it).
func setLastError(n *objects.Node, msg *string) {
	n.LastError = msg
	n.MarkChanged("last_error")
}

func strp(s string) *string { return &s }

// powerStatePtr is a power state as a node field: a driver that does not
// know the state returns "" (Python's None), which is stored as NULL.
func powerStatePtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ---- nodes ----

func (m *Manager) createNode(ctx context.Context, a rpcapi.NodeObjArgs) (*objects.Node, error) {
	node := a.NodeObj
	if node == nil {
		return nil, exception.InvalidParameterValue("node_obj is required")
	}
	if _, err := m.reg.CheckAndUpdateNodeInterfaces(node); err != nil {
		return nil, err
	}
	if err := node.Validate(); err != nil {
		return nil, err
	}
	return m.store.CreateNode(ctx, node)
}

var interfaceFields = func() []string {
	var out []string
	for _, t := range drivers.InterfaceTypes() {
		out = append(out, t.NodeField())
	}
	return out
}()

func (m *Manager) updateNode(ctx context.Context, a rpcapi.NodeObjArgs) (*objects.Node, error) {
	node := a.NodeObj
	if node == nil || node.UUID == nil {
		return nil, exception.InvalidParameterValue("node_obj with a uuid is required")
	}
	delta := node.Changes()
	changed := func(f string) bool {
		for _, d := range delta {
			if d == f {
				return true
			}
		}
		return false
	}
	if changed("maintenance") && !node.Maintenance {
		node.MaintenanceReason = nil
		node.MarkChanged("maintenance_reason")
	}
	for _, f := range interfaceFields {
		if changed(f) {
			state := states.Of(node.ProvisionState)
			allowed := state == states.Enroll || state == states.Inspecting || state == states.Manageable
			if !allowed && !node.Maintenance {
				return nil, exception.InvalidState(fmt.Sprintf(
					"Cannot update interfaces of node %s while it is in the %q state and not in maintenance mode.", *node.UUID, state))
			}
			break
		}
	}
	// reset_interfaces (RPC 1.47, sent by newer clients, false by default):
	// on a driver change, interfaces the request does not set go back to
	// the new hardware type's defaults.
	if changed("driver") && string(rpcapi.ExtraArgs(ctx)["reset_interfaces"]) == "true" {
		drivers.ResetNodeInterfaces(node, changed)
	}
	if _, err := m.reg.CheckAndUpdateNodeInterfaces(node); err != nil {
		return nil, err
	}
	driverName := ""
	if changed("driver") && node.Driver != nil {
		driverName = *node.Driver
	}
	var out *objects.Node
	err := m.tm.With(ctx, db.ByUUID(*node.UUID), AcquireOptions{DriverName: driverName, Purpose: "node update"}, func(t *Task) error {
		if changed("instance_uuid") && node.InstanceUUID != nil && t.Node.InstanceUUID != nil {
			return exception.NodeAssociated(*node.UUID, *t.Node.InstanceUUID)
		}
		if changed("driver") && !changed("driver_internal_info") {
			node.DriverInternalInfo = map[string]any{}
			node.MarkChanged("driver_internal_info")
		}
		// The client's object holds no reservation; never let it clear ours.
		upd := node.Clone()
		upd.ID = t.Node.ID
		upd.ResetChanges("reservation")
		stored, err := m.store.UpdateNode(ctx, upd)
		if err != nil {
			return err
		}
		out = stored
		t.Node = stored.Clone()
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Reservation = nil // the API sees the node after the lock is gone
	out.ResetChanges()
	return out, nil
}

func (m *Manager) destroyNode(ctx context.Context, a rpcapi.NodeArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("node deletion"), func(t *Task) error {
		n := t.Node
		if !n.Maintenance && n.InstanceUUID != nil {
			return exception.NodeAssociated(t.NodeUUID(), *n.InstanceUUID)
		}
		state := states.Of(n.ProvisionState)
		if !n.Maintenance && !states.DeleteAllowed(state) {
			return exception.InvalidState(fmt.Sprintf(
				"Can not delete node \"%s\" while it is in provision state \"%s\". Valid provision states to perform deletion are: %s",
				t.NodeUUID(), state, formatStates(states.DeleteAllowedStates())))
		}
		if n.ConsoleEnabled {
			if c, err := iface[drivers.ConsoleInterface](t, drivers.InterfaceConsole); err == nil {
				if err := c.StopConsole(ctx, &t.Task); err != nil {
					t.Log.Warn().Err(err).Msg("failed to stop the console while deleting the node")
				}
			}
		}
		if err := m.store.DestroyNode(ctx, db.ByID(n.ID)); err != nil {
			return err
		}
		t.released = true // the row and its reservation are gone
		t.Log.Info().Msg("node deleted")
		return nil
	})
}

func formatStates(ss []states.State) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("'%s'", s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// ---- power ----

func (m *Manager) changeNodePowerState(ctx context.Context, a rpcapi.ChangeNodePowerStateArgs) (none, error) {
	newState := states.PowerState(a.NewState)
	return none{}, m.withNode(ctx, a.NodeID, exclusive("changing node power state"), func(t *Task) error {
		power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
		if err != nil {
			return err
		}
		if err := power.Validate(ctx, &t.Task); err != nil {
			return err
		}
		supported, err := power.SupportedPowerStates(ctx, &t.Task)
		if err != nil {
			return err
		}
		if !contains(supported, a.NewState) {
			return exception.InvalidParameterValue(fmt.Sprintf(
				"The driver %s does not support the power state, %s", t.DriverName(), a.NewState))
		}
		var timeout int
		if a.Timeout != nil {
			timeout = *a.Timeout
		}
		if states.IsSoft(newState) && timeout == 0 {
			timeout = int(m.cfg.SoftPowerOffTimeout.Seconds())
		}
		prevPower := t.Node.PowerState
		t.Node.TargetPowerState = states.TargetPowerState(newState).Ptr()
		t.Node.MarkChanged("target_power_state")
		setLastError(t.Node, nil)
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
		t.errHandler = func(err error) { m.powerStateErrorHandler(ctx, t, prevPower, err) }
		t.purpose = "node_power_action"
		return t.Spawn(ctx, func(ctx context.Context) error {
			return m.nodePowerAction(ctx, t, newState, secondsDuration(timeout))
		})
	})
}

func secondsDuration(s int) time.Duration { return time.Duration(s) * time.Second }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// powerStateErrorHandler restores the power state when the worker pool
// refused the power action (utils.power_state_error_handler).
func (m *Manager) powerStateErrorHandler(ctx context.Context, t *Task, prevPower *string, err error) {
	if !errors.Is(err, exception.ErrNoFreeConductorWorker) {
		return
	}
	t.Node.PowerState = prevPower
	t.Node.TargetPowerState = nil
	t.Node.MarkChanged("power_state", "target_power_state")
	setLastError(t.Node, strp("No free conductor workers available"))
	if serr := t.SaveNode(context.WithoutCancel(ctx)); serr != nil {
		t.Log.Error().Err(serr).Msg("cannot restore the power state after a refused spawn")
	}
}

// nodePowerAction changes the power state and records the outcome on the
// node (conductor.utils.node_power_action).
func (m *Manager) nodePowerAction(ctx context.Context, t *Task, newState states.PowerState, timeout time.Duration) error {
	power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
	if err != nil {
		return err
	}
	node := t.Node
	fail := func(target states.PowerState, err error) error {
		// t.Node, not node: a save since the start reloaded it.
		t.Node.TargetPowerState = nil
		t.Node.MarkChanged("target_power_state")
		setLastError(t.Node, strp(fmt.Sprintf("Failed to change power state to '%s'. Error: %s", target, errorText(err))))
		if serr := t.SaveNode(ctx); serr != nil {
			t.Log.Error().Err(serr).Msg("cannot record the power failure")
		}
		return err
	}
	if newState != states.Reboot && newState != states.SoftReboot {
		cur, err := guard1(t, func() (string, error) { return power.GetPowerState(ctx, &t.Task) })
		if err != nil {
			return fail(newState, err)
		}
		same := (cur == string(states.PowerOn) && newState == states.PowerOn) ||
			(cur == string(states.PowerOff) && (newState == states.PowerOff || newState == states.SoftPowerOff))
		if same {
			node.PowerState = strp(cur)
			node.TargetPowerState = nil
			node.MarkChanged("power_state", "target_power_state")
			setLastError(node, nil)
			t.Log.Warn().Str("state", cur).Msg("not changing the power state: current state = requested state")
			return t.SaveNode(ctx)
		}
		if cur == string(states.PowerError) {
			t.Log.Warn().Msg("driver returns ERROR power state")
		}
	}
	target := states.TargetPowerState(newState)
	node.TargetPowerState = target.Ptr()
	node.MarkChanged("target_power_state")
	setLastError(node, nil)
	if err := t.SaveNode(ctx); err != nil {
		return err
	}
	err = guard(t, func() error {
		switch newState {
		case states.PowerOn, states.PowerOff, states.SoftPowerOff:
			return power.SetPowerState(ctx, &t.Task, string(newState), timeout)
		default:
			return power.Reboot(ctx, &t.Task, timeout)
		}
	})
	if err != nil {
		return fail(target, err)
	}
	node = t.Node
	node.PowerState = target.Ptr()
	node.TargetPowerState = nil
	node.MarkChanged("power_state", "target_power_state")
	t.Log.Info().Str("state", string(target)).Msg("power state changed")
	return t.SaveNode(ctx)
}

// ---- management ----

func (m *Manager) management(ctx context.Context, t *Task, validate bool) (drivers.ManagementInterface, error) {
	mg, err := iface[drivers.ManagementInterface](t, drivers.InterfaceManagement)
	if err != nil {
		return nil, err
	}
	if validate {
		if err := mg.Validate(ctx, &t.Task); err != nil {
			return nil, err
		}
	}
	return mg, nil
}

func (m *Manager) setBootDevice(ctx context.Context, a rpcapi.SetBootDeviceArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("setting boot device"), func(t *Task) error {
		mg, err := m.management(ctx, t, true)
		if err != nil {
			return err
		}
		return mg.SetBootDevice(ctx, &t.Task, a.Device, a.Persistent)
	})
}

func (m *Manager) getBootDevice(ctx context.Context, a rpcapi.NodeArgs) (rpcapi.BootDevice, error) {
	var out rpcapi.BootDevice
	err := m.withNode(ctx, a.NodeID, exclusive("getting boot device"), func(t *Task) error {
		mg, err := m.management(ctx, t, true)
		if err != nil {
			return err
		}
		bd, err := mg.GetBootDevice(ctx, &t.Task)
		if err != nil {
			return err
		}
		if bd.Device != "" {
			out.BootDevice = strp(bd.Device)
		}
		out.Persistent = bd.Persistent
		return nil
	})
	return out, err
}

func (m *Manager) injectNMI(ctx context.Context, a rpcapi.NodeArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("inject nmi"), func(t *Task) error {
		mg, err := m.management(ctx, t, true)
		if err != nil {
			return err
		}
		return drivers.InjectNMI(ctx, &t.Task, mg)
	})
}

func (m *Manager) getSupportedBootDevices(ctx context.Context, a rpcapi.NodeArgs) ([]string, error) {
	var out []string
	err := m.withNode(ctx, a.NodeID, shared("getting supported boot devices"), func(t *Task) error {
		mg, err := m.management(ctx, t, false)
		if err != nil {
			return err
		}
		out, err = mg.SupportedBootDevices(ctx, &t.Task)
		return err
	})
	if out == nil && err == nil {
		out = []string{}
	}
	return out, err
}

func (m *Manager) validateDriverInterfaces(ctx context.Context, a rpcapi.NodeArgs) (map[string]rpcapi.InterfaceValidation, error) {
	var out map[string]rpcapi.InterfaceValidation
	err := m.withNode(ctx, a.NodeID, shared("driver interface validation"), func(t *Task) error {
		res := t.Driver.ValidateInterfaces(ctx, &t.Task, m.cfg.Host)
		out = make(map[string]rpcapi.InterfaceValidation, len(res))
		for k, v := range res {
			e, _ := v.(map[string]any)
			var iv rpcapi.InterfaceValidation
			if r, ok := e["result"].(bool); ok {
				iv.Result = &r
			}
			if s, ok := e["reason"].(string); ok {
				iv.Reason = &s
			}
			out[k] = iv
		}
		return nil
	})
	return out, err
}

func (m *Manager) getDriverProperties(ctx context.Context, a rpcapi.DriverArgs) (map[string]string, error) {
	return m.reg.Properties(a.DriverName)
}

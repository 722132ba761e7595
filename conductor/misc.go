package conductor

import (
	"context"
	"fmt"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// ---- vendor passthru ----

func (m *Manager) vendorPassthru(ctx context.Context, a rpcapi.VendorPassthruArgs) (rpcapi.VendorPassthruResult, error) {
	var out rpcapi.VendorPassthruResult
	err := m.withNode(ctx, a.NodeID, shared("calling vendor passthru"), func(t *Task) error {
		vendor, err := iface[drivers.VendorInterface](t, drivers.InterfaceVendor)
		if err != nil {
			return exception.UnsupportedDriverExtension(t.DriverName(), "vendor interface")
		}
		route, httpMethod, err := drivers.FindRoute(vendor.Routes(), a.DriverMethod, a.HTTPMethod)
		if err != nil {
			return err
		}
		if route.RequireExclusiveLock() {
			if err := t.UpgradeLock(ctx); err != nil {
				return err
			}
		}
		info := a.Info
		if info == nil {
			info = map[string]any{}
		}
		if err := vendor.Validate(ctx, &t.Task, a.DriverMethod, httpMethod, info); err != nil {
			return err
		}
		// Ironic adds info["http_method"] for the Python method's keyword
		// argument; a Go route gets httpMethod as a parameter, and info
		// holds only the caller's arguments (drivers.RouteFunc).
		out = rpcapi.VendorPassthruResult{Async: route.Async(), Attach: route.Attach}
		if route.Async() {
			t.purpose = a.DriverMethod
			return t.Spawn(ctx, func(ctx context.Context) error {
				_, err := route.Call(ctx, &t.Task, httpMethod, info)
				return err
			})
		}
		ret, err := route.Call(ctx, &t.Task, httpMethod, info)
		out.Return = ret
		return err
	})
	return out, err
}

func (m *Manager) driverVendor(driverName string) (drivers.VendorInterface, error) {
	if _, err := m.reg.HardwareType(driverName); err != nil {
		return nil, err
	}
	v, err := m.reg.DefaultVendor(driverName)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, exception.UnsupportedDriverExtension(driverName, "vendor interface")
	}
	if name, _ := m.reg.DefaultInterface(driverName, drivers.InterfaceVendor); isNoop(name) {
		return nil, exception.UnsupportedDriverExtension(driverName, "vendor interface")
	}
	return v, nil
}

func (m *Manager) driverVendorPassthru(ctx context.Context, a rpcapi.DriverVendorPassthruArgs) (rpcapi.VendorPassthruResult, error) {
	var out rpcapi.VendorPassthruResult
	vendor, err := m.driverVendor(a.DriverName)
	if err != nil {
		return out, err
	}
	route, httpMethod, err := drivers.FindRoute(vendor.DriverRoutes(), a.DriverMethod, a.HTTPMethod)
	if err != nil {
		return out, err
	}
	info := a.Info
	if info == nil {
		info = map[string]any{}
	}
	// No info["http_method"]: see vendorPassthru.
	if err := vendor.DriverValidate(ctx, a.DriverMethod, httpMethod, info); err != nil {
		return out, err
	}
	out = rpcapi.VendorPassthruResult{Async: route.Async(), Attach: route.Attach}
	if route.Async() {
		wctx := context.WithoutCancel(ctx)
		err := m.pool.Submit(func(pctx context.Context) error {
			ctx, cancel := context.WithCancel(wctx)
			defer cancel()
			defer context.AfterFunc(pctx, cancel)()
			_, err := route.Call(ctx, nil, httpMethod, info)
			return err
		}, func(err error) {
			if err != nil {
				m.log.Error().Err(err).Str("method", a.DriverMethod).Msg("asynchronous driver vendor passthru failed")
			}
		})
		return out, err
	}
	out.Return, err = route.Call(ctx, nil, httpMethod, info)
	return out, err
}

func vendorMethods(meta map[string]any) map[string]rpcapi.VendorMethod {
	out := make(map[string]rpcapi.VendorMethod, len(meta))
	for name, v := range meta {
		md, _ := v.(map[string]any)
		vm := rpcapi.VendorMethod{}
		vm.HTTPMethods, _ = md["http_methods"].([]string)
		vm.Async, _ = md["async"].(bool)
		vm.Description, _ = md["description"].(string)
		vm.Attach, _ = md["attach"].(bool)
		if x, ok := md["require_exclusive_lock"].(bool); ok {
			vm.RequireExclusiveLock = &x
		}
		out[name] = vm
	}
	return out
}

func (m *Manager) getNodeVendorPassthruMethods(ctx context.Context, a rpcapi.NodeArgs) (map[string]rpcapi.VendorMethod, error) {
	var out map[string]rpcapi.VendorMethod
	err := m.withNode(ctx, a.NodeID, shared("listing vendor passthru methods"), func(t *Task) error {
		vendor, err := iface[drivers.VendorInterface](t, drivers.InterfaceVendor)
		if err != nil {
			return exception.UnsupportedDriverExtension(t.DriverName(), "vendor interface")
		}
		out = vendorMethods(drivers.NodeRoutesMetadata(vendor.Routes()))
		return nil
	})
	return out, err
}

func (m *Manager) getDriverVendorPassthruMethods(ctx context.Context, a rpcapi.DriverArgs) (map[string]rpcapi.VendorMethod, error) {
	vendor, err := m.driverVendor(a.DriverName)
	if err != nil {
		return nil, err
	}
	return vendorMethods(drivers.DriverRoutesMetadata(vendor.DriverRoutes())), nil
}

// ---- console ----

func (m *Manager) getConsoleInformation(ctx context.Context, a rpcapi.NodeArgs) (rpcapi.ConsoleInfo, error) {
	out := rpcapi.ConsoleInfo{}
	err := m.withNode(ctx, a.NodeID, shared("getting console information"), func(t *Task) error {
		c, err := iface[drivers.ConsoleInterface](t, drivers.InterfaceConsole)
		if err != nil {
			return exception.UnsupportedDriverExtension(t.DriverName(), "console")
		}
		if !t.Node.ConsoleEnabled {
			return exception.NodeConsoleNotEnabled(t.NodeUUID())
		}
		if err := c.Validate(ctx, &t.Task); err != nil {
			return err
		}
		info, err := c.GetConsole(ctx, &t.Task)
		if err != nil {
			return err
		}
		if info != nil {
			out = info
		}
		return nil
	})
	return out, err
}

func (m *Manager) setConsoleMode(ctx context.Context, a rpcapi.SetConsoleModeArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("setting console mode"), func(t *Task) error {
		c, err := iface[drivers.ConsoleInterface](t, drivers.InterfaceConsole)
		if err != nil {
			return exception.UnsupportedDriverExtension(t.DriverName(), "console")
		}
		if err := c.Validate(ctx, &t.Task); err != nil {
			return err
		}
		if a.Enabled == t.Node.ConsoleEnabled {
			t.Log.Info().Bool("enabled", a.Enabled).Msg("no console action was triggered: already in that mode")
			return nil
		}
		setLastError(t.Node, nil)
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
		t.purpose = "_set_console_mode"
		return t.Spawn(ctx, func(ctx context.Context) error {
			var err error
			if a.Enabled {
				err = c.StartConsole(ctx, &t.Task)
			} else {
				err = c.StopConsole(ctx, &t.Task)
			}
			if err != nil {
				op := "disabling"
				if a.Enabled {
					op = "enabling"
				}
				setLastError(t.Node, strp(fmt.Sprintf("Error %s the console on node %s. Reason: %s", op, t.NodeUUID(), errorText(err))))
				_ = t.SaveNode(ctx)
				return err
			}
			t.Node.ConsoleEnabled = a.Enabled
			t.Node.MarkChanged("console_enabled")
			setLastError(t.Node, nil)
			return t.SaveNode(ctx)
		})
	})
}

// ---- RAID ----

func (m *Manager) setTargetRAIDConfig(ctx context.Context, a rpcapi.SetTargetRAIDConfigArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("setting target RAID config"), func(t *Task) error {
		raid, err := iface[drivers.RAIDInterface](t, drivers.InterfaceRAID)
		if err != nil {
			return exception.UnsupportedDriverExtension(t.DriverName(), "raid")
		}
		if len(a.TargetRAIDConfig) > 0 {
			if err := raid.ValidateRAIDConfig(ctx, &t.Task, a.TargetRAIDConfig); err != nil {
				return err
			}
		}
		cfg := a.TargetRAIDConfig
		if cfg == nil {
			cfg = map[string]any{}
		}
		t.Node.TargetRAIDConfig = cfg
		t.Node.MarkChanged("target_raid_config")
		return t.SaveNode(ctx)
	})
}

func (m *Manager) getRAIDLogicalDiskProperties(ctx context.Context, a rpcapi.DriverArgs) (map[string]string, error) {
	if _, err := m.reg.HardwareType(a.DriverName); err != nil {
		return nil, err
	}
	raid, err := m.reg.DefaultRAID(a.DriverName)
	if err != nil {
		return nil, err
	}
	if name, _ := m.reg.DefaultInterface(a.DriverName, drivers.InterfaceRAID); raid == nil || isNoop(name) {
		return nil, exception.UnsupportedDriverExtension(a.DriverName, "raid")
	}
	return raid.LogicalDiskProperties(), nil
}

// ---- ports and portgroups ----

// withObjectNode locks the node an object (port, portgroup, volume
// connector or target) belongs to.
func (m *Manager) withObjectNode(ctx context.Context, nodeID *int64, purpose string, fn func(t *Task) error) error {
	if nodeID == nil {
		return exception.InvalidIdentity("None")
	}
	return m.tm.With(ctx, db.ByID(*nodeID), exclusive(purpose), fn)
}

func (m *Manager) network(t *Task) (drivers.NetworkInterface, error) {
	nw, ok := t.Driver.Interface(drivers.InterfaceNetwork).(drivers.NetworkInterface)
	if !ok || nw == nil {
		return nil, exception.UnsupportedDriverExtension(t.DriverName(), "network")
	}
	return nw, nil
}

func (m *Manager) updatePort(ctx context.Context, a rpcapi.UpdatePortArgs) (*objects.Port, error) {
	port := a.PortObj
	if port == nil {
		return nil, exception.InvalidParameterValue("port_obj is required")
	}
	var out *objects.Port
	err := m.withObjectNode(ctx, port.NodeID, "port update", func(t *Task) error {
		node := t.Node
		puuid := deref(port.UUID)
		if (states.Of(node.ProvisionState) == states.Active || node.InstanceUUID != nil) && port.HasChanged("address") && !node.Maintenance {
			return exception.InvalidState(fmt.Sprintf(
				"Cannot update hardware address for port %s as node %s is active or in use.", puuid, t.NodeUUID()))
		}
		if (port.HasChanged("portgroup_id") || port.HasChanged("local_link_connection") || port.HasChanged("pxe_enabled")) &&
			!node.Maintenance && !connectAllowed(states.Of(node.ProvisionState)) {
			return exception.InvalidState(fmt.Sprintf(
				"Port %s can not have any connectivity attributes (pxe_enabled, portgroup_id, local_link_connection) updated unless node %s is in a enroll, inspecting, manageable state or in maintenance mode.",
				puuid, t.NodeUUID()))
		}
		nw, err := m.network(t)
		if err != nil {
			return err
		}
		if err := nw.Validate(ctx, &t.Task); err != nil {
			return err
		}
		if err := nw.PortChanged(ctx, &t.Task, port); err != nil {
			return err
		}
		out, err = m.store.UpdatePort(ctx, port)
		return err
	})
	return out, err
}

func connectAllowed(s states.State) bool {
	return s == states.Enroll || s == states.Inspecting || s == states.Manageable
}

func deref(p *string) string {
	if p == nil {
		return "None"
	}
	return *p
}

func (m *Manager) destroyPort(ctx context.Context, a rpcapi.DestroyPortArgs) (none, error) {
	if a.Port == nil {
		return none{}, exception.InvalidParameterValue("port is required")
	}
	return none{}, m.withObjectNode(ctx, a.Port.NodeID, "port deletion", func(t *Task) error {
		return m.store.DestroyPort(ctx, objRef(a.Port.ID, a.Port.UUID))
	})
}

func objRef(id int64, uuid *string) db.Ref {
	if id != 0 {
		return db.ByID(id)
	}
	if uuid != nil {
		return db.ByUUID(*uuid)
	}
	return db.Ref{}
}

func (m *Manager) updatePortgroup(ctx context.Context, a rpcapi.UpdatePortgroupArgs) (*objects.Portgroup, error) {
	pg := a.PortgroupObj
	if pg == nil {
		return nil, exception.InvalidParameterValue("portgroup_obj is required")
	}
	var out *objects.Portgroup
	err := m.withObjectNode(ctx, pg.NodeID, "update portgroup", func(t *Task) error {
		node := t.Node
		puuid := deref(pg.UUID)
		if pg.HasChanged("node_id") {
			if !connectAllowed(states.Of(node.ProvisionState)) && !node.Maintenance {
				return exception.InvalidState(fmt.Sprintf(
					"Portgroup %s can not be associated to node %s unless the node is in a enroll, inspecting, manageable state or in maintenance mode.",
					puuid, t.NodeUUID()))
			}
			if pg.ID != 0 {
				ports, err := m.store.ListPortsByPortgroupID(ctx, pg.ID)
				if err != nil {
					return err
				}
				if len(ports) > 0 {
					return exception.NewMessage("PortgroupNotEmpty", fmt.Sprintf(
						"Portgroup %s can not be associated with node %s because there are ports associated with this portgroup.",
						puuid, t.NodeUUID()), map[string]any{"portgroup": puuid})
				}
			}
		}
		nw, err := m.network(t)
		if err != nil {
			return err
		}
		if err := nw.Validate(ctx, &t.Task); err != nil {
			return err
		}
		if err := nw.PortgroupChanged(ctx, &t.Task, pg); err != nil {
			return err
		}
		out, err = m.store.UpdatePortgroup(ctx, pg)
		return err
	})
	return out, err
}

func (m *Manager) destroyPortgroup(ctx context.Context, a rpcapi.DestroyPortgroupArgs) (none, error) {
	if a.Portgroup == nil {
		return none{}, exception.InvalidParameterValue("portgroup is required")
	}
	return none{}, m.withObjectNode(ctx, a.Portgroup.NodeID, "portgroup deletion", func(t *Task) error {
		return m.store.DestroyPortgroup(ctx, objRef(a.Portgroup.ID, a.Portgroup.UUID))
	})
}

// ---- volumes ----

func (m *Manager) destroyVolumeConnector(ctx context.Context, a rpcapi.VolumeConnectorArgs) (none, error) {
	if a.Connector == nil {
		return none{}, exception.InvalidParameterValue("connector is required")
	}
	return none{}, m.withObjectNode(ctx, a.Connector.NodeID, "volume connector deletion", func(t *Task) error {
		return m.store.DestroyVolumeConnector(ctx, objRef(a.Connector.ID, a.Connector.UUID))
	})
}

func (m *Manager) updateVolumeConnector(ctx context.Context, a rpcapi.VolumeConnectorArgs) (*objects.VolumeConnector, error) {
	if a.Connector == nil {
		return nil, exception.InvalidParameterValue("connector is required")
	}
	var out *objects.VolumeConnector
	err := m.withObjectNode(ctx, a.Connector.NodeID, "volume connector update", func(t *Task) error {
		var err error
		out, err = m.store.UpdateVolumeConnector(ctx, a.Connector)
		return err
	})
	return out, err
}

func (m *Manager) destroyVolumeTarget(ctx context.Context, a rpcapi.VolumeTargetArgs) (none, error) {
	if a.Target == nil {
		return none{}, exception.InvalidParameterValue("target is required")
	}
	return none{}, m.withObjectNode(ctx, a.Target.NodeID, "volume target deletion", func(t *Task) error {
		return m.store.DestroyVolumeTarget(ctx, objRef(a.Target.ID, a.Target.UUID))
	})
}

func (m *Manager) updateVolumeTarget(ctx context.Context, a rpcapi.VolumeTargetArgs) (*objects.VolumeTarget, error) {
	if a.Target == nil {
		return nil, exception.InvalidParameterValue("target is required")
	}
	var out *objects.VolumeTarget
	err := m.withObjectNode(ctx, a.Target.NodeID, "volume target update", func(t *Task) error {
		var err error
		out, err = m.store.UpdateVolumeTarget(ctx, a.Target)
		return err
	})
	return out, err
}

// ---- VIFs ----

func (m *Manager) vifAttach(ctx context.Context, a rpcapi.VIFAttachArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("attach vif"), func(t *Task) error {
		nw, err := m.network(t)
		if err != nil {
			return err
		}
		if err := nw.Validate(ctx, &t.Task); err != nil {
			return err
		}
		return nw.VifAttach(ctx, &t.Task, a.VIFInfo)
	})
}

func (m *Manager) vifDetach(ctx context.Context, a rpcapi.VIFDetachArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("detach vif"), func(t *Task) error {
		nw, err := m.network(t)
		if err != nil {
			return err
		}
		if err := nw.Validate(ctx, &t.Task); err != nil {
			return err
		}
		return nw.VifDetach(ctx, &t.Task, a.VIFID)
	})
}

func (m *Manager) vifList(ctx context.Context, a rpcapi.NodeArgs) ([]rpcapi.VIF, error) {
	out := []rpcapi.VIF{}
	err := m.withNode(ctx, a.NodeID, shared("list vifs"), func(t *Task) error {
		nw, err := m.network(t)
		if err != nil {
			return err
		}
		if err := nw.Validate(ctx, &t.Task); err != nil {
			return err
		}
		vifs, err := nw.VifList(ctx, &t.Task)
		for _, v := range vifs {
			id, _ := v["id"].(string)
			out = append(out, rpcapi.VIF{ID: id})
		}
		return err
	})
	return out, err
}

package redfish

import (
	"context"

	"github.com/ironic-go/ironic-go/drivers"
)

// GetSensorsData reads the fans, temperatures and power supplies of the
// System's chassis and its simple storage drives, grouped as Ironic's
// redfish management does: {"Fan": {"<member>@<chassis>": {...}},
// "Temperature": ..., "Power": {"<member>:<power>@<chassis>": ...},
// "Drive": {"<name>:<storage>@<system>": ...}}. A part that cannot be
// read is left out (logged at debug), as in Ironic.
func (m *Management) GetSensorsData(ctx context.Context, task *drivers.Task) (_ map[string]any, err error) {
	defer m.d.recoverPanic(task, &err)
	o, err := m.d.open(ctx, task)
	if err != nil {
		return nil, err
	}
	defer o.done(ctx)
	fans, temps, power, drives := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
	chassis, err := o.sys.Chassis()
	if err != nil {
		o.debugSkip("chassis", err)
	}
	for _, ch := range chassis {
		th, err := ch.Thermal()
		switch {
		case err != nil:
			o.debugSkip("thermal", err)
		case th != nil:
			for _, f := range th.Fans {
				fans[f.MemberID+"@"+ch.ID] = map[string]any{
					"identity": f.MemberID, "max_reading_range": intOrNil(f.MaxReadingRange),
					"min_reading_range": intOrNil(f.MinReadingRange), "reading": intOrNil(f.Reading),
					"reading_units": string(f.ReadingUnits), "serial_number": f.SerialNumber,
					"physical_context": string(f.PhysicalContext),
					"state":            string(f.Status.State), "health": string(f.Status.Health),
				}
			}
			for _, t := range th.Temperatures {
				temps[t.MemberID+"@"+ch.ID] = map[string]any{
					"identity": t.MemberID, "max_reading_range_temp": floatOrNil(t.MaxReadingRangeTemp),
					"min_reading_range_temp": floatOrNil(t.MinReadingRangeTemp),
					"reading_celsius":        floatOrNil(t.ReadingCelsius),
					"physical_context":       string(t.PhysicalContext), "sensor_number": intOrNil(t.SensorNumber),
					"state": string(t.Status.State), "health": string(t.Status.Health),
				}
			}
		}
		pw, err := ch.Power()
		switch {
		case err != nil:
			o.debugSkip("power", err)
		case pw != nil:
			for _, ps := range pw.PowerSupplies {
				power[ps.MemberID+":"+pw.ID+"@"+ch.ID] = map[string]any{
					"power_capacity_watts":    float32OrNil(ps.PowerCapacityWatts),
					"line_input_voltage":      float32OrNil(ps.LineInputVoltage),
					"last_power_output_watts": float32OrNil(ps.LastPowerOutputWatts),
					"serial_number":           ps.SerialNumber,
					"state":                   string(ps.Status.State), "health": string(ps.Status.Health),
				}
			}
		}
	}
	ss, err := o.sys.SimpleStorage()
	if err != nil {
		o.debugSkip("drive", err)
	}
	for _, s := range ss {
		for _, d := range s.Devices {
			var capacity any
			if d.CapacityBytes != nil {
				capacity = int64(*d.CapacityBytes)
			}
			drives[d.Name+":"+s.ID+"@"+o.sys.ID] = map[string]any{
				"name": d.Name, "model": d.Model, "capacity_bytes": capacity,
				"state": string(d.Status.State), "health": string(d.Status.Health),
			}
		}
	}
	return map[string]any{"Fan": fans, "Temperature": temps, "Power": power, "Drive": drives}, nil
}

func (o *op) debugSkip(what string, err error) {
	o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msgf("failed reading %s information", what)
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func floatOrNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func float32OrNil(p *float32) any {
	if p == nil {
		return nil
	}
	return float64(*p)
}

package drivers_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// FuzzValidateRAIDConfig feeds arbitrary JSON (as a target_raid_config
// arrives from the API) to the RAID schema check: it must not panic and
// must either accept or return InvalidParameterValue.
func FuzzValidateRAIDConfig(f *testing.F) {
	for _, s := range []string{
		`{"logical_disks":[{"raid_level":"1","size_gb":100}]}`,
		`{"logical_disks":[{"raid_level":"1","size_gb":"MAX","is_root_volume":true},{"raid_level":"JBOD","size_gb":0,"is_root_volume":true}]}`,
		`{"logical_disks":[{"raid_level":"5","size_gb":10,"controller":"c","physical_disks":[{"a":1},{"b":2}]}]}`,
		`{"logical_disks":[{"raid_level":7,"size_gb":-1,"physical_disks":"x","number_of_physical_disks":0}]}`,
		`{"logical_disks":[]}`, `{"logical_disks":"x"}`, `{}`, `null`, `{"foo":1}`,
		`{"logical_disks":[1,null,{"size_gb":1e300}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg map[string]any
		if json.Unmarshal(data, &cfg) != nil {
			return
		}
		err := drivers.ValidateRAIDConfig(cfg)
		if err != nil && !errors.Is(err, exception.ErrInvalidParameterValue) {
			t.Fatalf("error %v is not InvalidParameterValue", err)
		}
	})
}

// FuzzCleanStepFromMap: any JSON object gives a step or
// InvalidParameterValue, and a step read back from its Map is the same.
func FuzzCleanStepFromMap(f *testing.F) {
	for _, s := range []string{
		`{"step":"erase_devices","priority":10,"abortable":true,"argsinfo":null,"interface":"deploy"}`,
		`{"interface":"raid","step":"create_configuration","args":{"create_root_volume":false}}`,
		`{"step":1}`, `{"priority":"x"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		s, err := drivers.CleanStepFromMap(m)
		if err != nil {
			if !errors.Is(err, exception.ErrInvalidParameterValue) {
				t.Fatalf("error %v", err)
			}
			return
		}
		back, err := drivers.CleanStepFromMap(s.Map())
		if err != nil {
			t.Fatalf("re-reading %v: %v", s.Map(), err)
		}
		a, _ := json.Marshal(s.Map())
		b, _ := json.Marshal(back.Map())
		if string(a) != string(b) {
			t.Fatalf("round trip %s != %s", a, b)
		}
	})
}

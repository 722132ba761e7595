package ipmi

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Privilege levels a node may ask for (ipmi_priv_level).
var validPrivLevels = []string{"ADMINISTRATOR", "CALLBACK", "OPERATOR", "USER"}

// IPMI protocol versions a node may ask for (ipmi_protocol_version).
var validProtoVersions = []string{"2.0", "1.5"}

// requiredProperties and optionalProperties are Ironic's ipmitool
// REQUIRED_PROPERTIES and OPTIONAL_PROPERTIES, word for word.
var requiredProperties = map[string]string{
	"ipmi_address": "IP address or hostname of the node. Required.",
}

var optionalProperties = map[string]string{
	"ipmi_password": "password. Optional.",
	"ipmi_hex_kg_key": "Kg key for IPMIv2 authentication. The key is expected in hexadecimal format. " +
		"Optional.",
	"ipmi_port": "remote IPMI RMCP port. Optional.",
	"ipmi_priv_level": "privilege level; default is ADMINISTRATOR. One of " +
		strings.Join(validPrivLevels, ", ") + ". Optional.",
	"ipmi_username":        "username; default is NULL user. Optional.",
	"ipmi_bridging":        `bridging_type; default is "no". One of "single", "dual", "no". Optional.`,
	"ipmi_transit_channel": `transit channel for bridged request. Required only if ipmi_bridging is set to "dual".`,
	"ipmi_transit_address": `transit address for bridged request. Required only if ipmi_bridging is set to "dual".`,
	"ipmi_target_channel": `destination channel for bridged request. Required only if ipmi_bridging is set to ` +
		`"single" or "dual".`,
	"ipmi_target_address": `destination address for bridged request. Required only if ipmi_bridging is set ` +
		`to "single" or "dual".`,
	"ipmi_local_address": `local IPMB address for bridged requests. Used only if ipmi_bridging is set ` +
		`to "single" or "dual". Optional.`,
	"ipmi_protocol_version": `the version of the IPMI protocol; default is "2.0". One of "1.5", "2.0". Optional.`,
	"ipmi_force_boot_device": "Whether Ironic should specify the boot device to the BMC each time the server " +
		"is turned on, eg. because the BMC is not capable of remembering the selected boot device across " +
		"power cycles; default value is False. Optional.",
	"ipmi_disable_boot_timeout": "By default ironic will send a raw IPMI command to disable the 60 second " +
		"timeout for booting. Setting this option to False will NOT send that command on this node. The " +
		"[ipmi]disable_boot_timeout will be used if this option is not set. Optional.",
	"ipmi_cipher_suite": "The number of a cipher suite to use. Only 3 (AES-128 with SHA1) or 17 (AES-128 with " +
		"SHA256) should ever be used; 17 is preferred. The default value depends on the ipmitool version, " +
		"some recent versions have switched from 3 to 17.",
}

// CommonProperties returns the driver_info keys the ipmitool power,
// management and vendor interfaces read, with Ironic's descriptions
// (COMMON_PROPERTIES).
func CommonProperties() map[string]string {
	out := maps.Clone(requiredProperties)
	maps.Copy(out, optionalProperties)
	return out
}

// secret is a password: it prints as *** however it is formatted,
// marshalled or logged.
type secret string

const masked = "***"

func (secret) String() string                          { return masked }
func (secret) GoString() string                        { return masked }
func (secret) MarshalText() ([]byte, error)            { return []byte(masked), nil }
func (secret) MarshalJSON() ([]byte, error)            { return json.Marshal(masked) }
func (s secret) MarshalZerologObject(e *zerolog.Event) { e.Str("password", masked) }
func (s secret) reveal() string                        { return string(s) }

// driverInfo is a node's parsed ipmi driver_info (_parse_driver_info).
type driverInfo struct {
	uuid            string
	address         string
	port            int // ipmi_port; 623 when unset
	username        string
	password        secret
	privLevel       string
	protocolVersion string
	cipherSuite     *int
	forceBootDevice any // raw ipmi_force_boot_device, read with boolFromString
	terminalPort    *int
}

// String never shows the password.
func (d driverInfo) String() string {
	return fmt.Sprintf("ipmi %s@%s (priv %s, IPMI %s)", d.username, d.endpoint(), d.privLevel, d.protocolVersion)
}

// GoString never shows the password.
func (d driverInfo) GoString() string { return d.String() }

// endpoint is the BMC's host:port.
func (d driverInfo) endpoint() string { return net.JoinHostPort(d.address, strconv.Itoa(d.port)) }

// defaultIPMIPort is the RMCP port.
const defaultIPMIPort = 623

// parseDriverInfo reads and checks the node's driver_info as Ironic's
// _parse_driver_info does, with its messages: MissingParameterValue or
// InvalidParameterValue. Options this driver cannot honour (bridging, a
// Kg key) are refused as Ironic refuses them when its ipmitool lacks
// them.
func parseDriverInfo(node *objects.Node, log zerolog.Logger) (*driverInfo, error) {
	info := node.DriverInfo
	internal := node.DriverInternalInfo
	uuid := ""
	if node.UUID != nil {
		uuid = *node.UUID
	}
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(requiredProperties)) {
		if !pyTruthy(info[k]) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, exception.MissingParameterValue(fmt.Sprintf(
			"Missing the following IPMI credentials in node's driver_info: %s.", exception.PyRepr(toAny(missing))))
	}

	d := &driverInfo{uuid: uuid, address: exception.PyStr(info["ipmi_address"]), port: defaultIPMIPort,
		forceBootDevice: info["ipmi_force_boot_device"]}
	if u, ok := info["ipmi_username"]; ok && u != nil {
		d.username = exception.PyStr(u)
	}
	if p, ok := info["ipmi_password"]; ok {
		d.password = secret(exception.PyStr(p))
	}
	if !pyTruthy(info["ipmi_username"]) {
		log.Warn().Str("node", uuid).Msg("ipmi_username is not defined or empty: NULL user will be utilized")
	}
	if d.password == "" {
		log.Warn().Str("node", uuid).Msg("ipmi_password is not defined or empty: NULL password will be utilized")
	}

	d.protocolVersion = "2.0"
	if v, ok := info["ipmi_protocol_version"]; ok {
		d.protocolVersion = exception.PyStr(v)
	}
	if !slices.Contains(validProtoVersions, d.protocolVersion) {
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid IPMI protocol version value %s, the valid value can be one of %s",
			d.protocolVersion, strings.Join(validProtoVersions, ", ")))
	}

	termPort := info["ipmi_terminal_port"]
	if !pyTruthy(termPort) {
		termPort = internal["allocated_ipmi_terminal_port"]
	}
	if termPort != nil {
		p, err := validateNetworkPort(termPort, "ipmi_terminal_port")
		if err != nil {
			return nil, err
		}
		d.terminalPort = &p
	}
	if v, ok := info["ipmi_port"]; ok && v != nil {
		p, err := validateNetworkPort(v, "ipmi_port")
		if err != nil {
			return nil, err
		}
		d.port = p
	}

	bridging := any("no")
	if v, ok := info["ipmi_bridging"]; ok {
		bridging = v
	}
	b, _ := bridging.(string)
	switch b {
	case "no":
	case "single", "dual":
		// Ironic's message when its ipmitool cannot bridge: neither can
		// this driver's IPMI client.
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Value for ipmi_bridging is provided as %s, but IPMI bridging is not supported by the IPMI "+
				"utility installed on host. Ensure ipmitool version is > 1.8.11", b))
	default:
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid value for ipmi_bridging: %s, the valid value can be one of: ['single', 'dual', 'no']",
			exception.PyStr(bridging)))
	}

	priv := any("ADMINISTRATOR")
	if v, ok := info["ipmi_priv_level"]; ok {
		priv = v
	}
	ps, isStr := priv.(string)
	if !isStr || !slices.Contains(validPrivLevels, ps) {
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid privilege level value:%s, the valid value can be one of %s",
			exception.PyStr(priv), strings.Join(validPrivLevels, ", ")))
	}
	d.privLevel = ps

	if kg := info["ipmi_hex_kg_key"]; pyTruthy(kg) {
		if len(exception.PyStr(kg))%2 != 0 {
			return nil, exception.InvalidParameterValue("Number of ipmi_hex_kg_key characters is not even")
		}
		return nil, exception.InvalidParameterValue(
			"ipmi_hex_kg_key is not supported by this conductor's IPMI client; remove it from driver_info")
	}

	if v, ok := info["ipmi_cipher_suite"]; ok && v != nil {
		cs, ok := pyInt(v)
		if !ok {
			return nil, exception.InvalidParameterValue(fmt.Sprintf("Invalid cipher suite %s, expected a number", exception.PyStr(v)))
		}
		if d.protocolVersion == "1.5" {
			return nil, exception.InvalidParameterValue("Cipher suites cannot be used with IPMI 1.5")
		}
		if cs < 0 || cs > 255 {
			return nil, exception.InvalidParameterValue(fmt.Sprintf("Invalid cipher suite %s, expected a number", exception.PyStr(v)))
		}
		c := int(cs)
		d.cipherSuite = &c
	}
	return d, nil
}

// validateNetworkPort is ironic.common.utils.validate_network_port.
func validateNetworkPort(v any, name string) (int, error) {
	if n, ok := pyInt(v); ok && n >= 0 && n <= 65535 {
		return int(n), nil
	}
	return 0, exception.InvalidParameterValue(fmt.Sprintf("%s \"%s\" is not a valid port.", name, exception.PyStr(v)))
}

// ---- Python value helpers (JSON values as Ironic sees them) ----

// pyTruthy is Python's bool() of a JSON value.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// pyInt is Python's int() of a JSON value; ok is false where Python
// raises ValueError or TypeError.
func pyInt(v any) (int64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return 0, false
		}
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case string:
		return parsePyIntString(x)
	}
	return 0, false
}

// parsePyIntString parses a string as Python's int(s): surrounding
// whitespace, an optional sign, decimal digits with single underscores
// between them.
func parsePyIntString(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	digits := strings.ReplaceAll(s, "_", "")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// boolFromString is oslo strutils.bool_from_string(v) (not strict,
// default false).
func boolFromString(v any) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	s := strings.ToLower(strings.TrimSpace(exception.PyStr(v)))
	return slices.Contains([]string{"1", "t", "true", "on", "y", "yes"}, s)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

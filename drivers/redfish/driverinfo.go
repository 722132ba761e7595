package redfish

import (
	"fmt"
	"maps"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// driver_info keys.
const (
	InfoAddress  = "redfish_address"
	InfoSystemID = "redfish_system_id"
	InfoUsername = "redfish_username"
	InfoPassword = "redfish_password"
	InfoVerifyCA = "redfish_verify_ca"
	InfoAuthType = "redfish_auth_type"
)

// requiredProperties and optionalProperties are Ironic's
// REQUIRED_PROPERTIES and OPTIONAL_PROPERTIES, which
// get_driver_properties returns verbatim.
var requiredProperties = map[string]string{
	InfoAddress: "The URL address to the Redfish controller. It must include the authority portion of the URL. " +
		"If the scheme is missing, https is assumed. For example: https://mgmt.vendor.com. " +
		"If a path is added, it will be used as the API endpoint root_prefix. Required",
}

var optionalProperties = map[string]string{
	InfoSystemID: "The canonical path to the ComputerSystem resource that the driver will interact with. " +
		"It should include the root service, version and the unique resource path to a ComputerSystem " +
		"within the same authority as the redfish_address property. For example: /redfish/v1/Systems/1. " +
		"This property is only required if target BMC manages more than one ComputerSystem. Otherwise " +
		"ironic will pick the only available ComputerSystem automatically.",
	InfoUsername: "User account with admin/server-profile access privilege. Although this property is not " +
		"mandatory it's highly recommended to set a username. Optional",
	InfoPassword: "User account password. Although this property is not mandatory, it's highly recommended " +
		"to set a password. Optional",
	InfoVerifyCA: "Either a Boolean value, a path to a CA_BUNDLE file or directory with certificates of " +
		"trusted CAs. If set to True the driver will verify the host certificates; if False the driver will " +
		"ignore verifying the SSL certificate. If it's a path the driver will use the specified certificate " +
		"or one of the certificates in the directory. Defaults to True. Optional",
	InfoAuthType: "Redfish HTTP client authentication method. Can be \"basic\", \"session\" or \"auto\". " +
		"If not set, the default value is taken from Ironic configuration as ``[redfish]auth_type`` option.",
}

// Properties returns the driver_info properties every redfish interface
// reads (COMMON_PROPERTIES): property name → description.
func Properties() map[string]string {
	out := maps.Clone(requiredProperties)
	maps.Copy(out, optionalProperties)
	return out
}

// verifyCA is a parsed redfish_verify_ca: verify or not, and an optional
// CA bundle file or directory.
type verifyCA struct {
	verify bool
	path   string
}

func (v verifyCA) String() string {
	if v.path != "" {
		return v.path
	}
	return strconv.FormatBool(v.verify)
}

// driverInfo is a node's parsed driver_info (parse_driver_info's result).
type driverInfo struct {
	node string
	// address is scheme://authority; rootPrefix the URL path given.
	address, rootPrefix string
	// systemID is the quoted redfish_system_id, "" when not given.
	systemID           string
	username, password string
	verifyCA           verifyCA
	authType           string
}

// uriRE splits a URI reference as rfc3986.uri_reference does (RFC 3986
// appendix B, with a strict scheme and no backslash in the authority),
// without validating.
var uriRE = regexp.MustCompile(`^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^\\/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?`)

type uriParts struct {
	scheme, authority, path string
	hasAuthority            bool
}

func splitURI(s string) uriParts {
	idx := uriRE.FindStringSubmatchIndex(s)
	if idx == nil {
		return uriParts{path: s}
	}
	group := func(i int) (string, bool) {
		if idx[2*i] < 0 {
			return "", false
		}
		return s[idx[2*i]:idx[2*i+1]], true
	}
	var u uriParts
	u.scheme, _ = group(1)
	u.authority, u.hasAuthority = group(2)
	u.path, _ = group(3)
	return u
}

var (
	// userinfo, reg-name: unreserved, pct-encoded and sub-delims (plus
	// ":" in userinfo).
	userinfoRE = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})+$`)
	regNameRE  = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$`)
	ipv4RE     = regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$`)
	portRE     = regexp.MustCompile(`^[0-9]{0,5}$`)
)

// validAuthority checks userinfo@host:port as rfc3986's validator does;
// the host must not be empty.
func validAuthority(a string) bool {
	if at := strings.LastIndex(a, "@"); at >= 0 {
		if !userinfoRE.MatchString(a[:at]) {
			return false
		}
		a = a[at+1:]
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		end := strings.Index(a, "]")
		if end < 0 {
			return false
		}
		host, port = a[:end+1], a[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
		inner := host[1 : len(host)-1]
		ip := net.ParseIP(inner)
		if ip == nil || !strings.Contains(inner, ":") {
			return false
		}
	} else {
		if i := strings.LastIndex(a, ":"); i >= 0 {
			host, port = a[:i], a[i+1:]
		}
		if !regNameRE.MatchString(host) {
			return false
		}
		if m := ipv4RE.FindStringSubmatch(host); m != nil {
			for _, octet := range m[1:] {
				if n, _ := strconv.Atoi(octet); n > 255 {
					return false
				}
			}
		}
	}
	return host != "" && portRE.MatchString(port)
}

// wrapIPv6 puts a bare IPv6 address in brackets (utils.wrap_ipv6).
func wrapIPv6(s string) string {
	if ip := net.ParseIP(s); ip != nil && strings.Contains(s, ":") {
		return "[" + s + "]"
	}
	return s
}

// quotePath percent-encodes s as Python's urllib.parse.quote does with its
// default safe "/": letters, digits, "_.-~" and "/" stay.
func quotePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// supportedRootPrefix reports whether gofish can serve a root prefix: it
// always reads the service root at /redfish/v1/.
func supportedRootPrefix(p string) bool {
	switch strings.TrimRight(p, "/") {
	case "", "/redfish/v1":
		return true
	}
	return false
}

// parseDriverInfo validates a node's driver_info as Ironic's
// parse_driver_info does, with its messages; defaultAuth is [redfish]
// auth_type. MissingParameterValue or InvalidParameterValue.
func parseDriverInfo(node *objects.Node, defaultAuth string) (*driverInfo, error) {
	uuid := exception.PyStr(nil)
	if node.UUID != nil {
		uuid = *node.UUID
	}
	info := node.DriverInfo
	if v, ok := info[InfoAddress]; !ok || !pyTruthy(v) {
		return nil, exception.MissingParameterValue(fmt.Sprintf(
			"Missing the following Redfish properties in node %s driver_info: %s", uuid, exception.PyStr([]any{InfoAddress})))
	}
	di := &driverInfo{node: uuid}

	rawAddr, isStr := info[InfoAddress].(string)
	if !isStr {
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid Redfish address %s set in driver_info/redfish_address on node %s", exception.PyStr(info[InfoAddress]), uuid))
	}
	addr := wrapIPv6(rawAddr)
	u := splitURI(addr)
	if u.scheme == "" || u.authority == "" {
		addr = "https://" + addr
		u = splitURI(addr)
	}
	// rfc3986 percent-encodes the path, query and fragment before its
	// validator sees them, so only the scheme and authority can fail.
	if u.scheme == "" || !u.hasAuthority || !validAuthority(u.authority) {
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid Redfish address %s set in driver_info/redfish_address on node %s", addr, uuid))
	}
	di.address = u.scheme + "://" + u.authority
	di.rootPrefix = u.path
	if !supportedRootPrefix(di.rootPrefix) {
		// Ironic accepts any root prefix; gofish always reads
		// /redfish/v1/, so another prefix cannot work.
		return nil, exception.InvalidParameterValue(fmt.Sprintf(
			"Invalid Redfish address %s set in driver_info/redfish_address on node %s: "+
				"the root prefix %s is not supported, only /redfish/v1", addr, uuid, di.rootPrefix))
	}

	if v, ok := info[InfoSystemID]; ok && v != nil {
		s, isStr := v.(string)
		if !isStr {
			return nil, exception.InvalidParameterValue(fmt.Sprintf(
				"Invalid value \"%s\" set in driver_info/redfish_system_id on node %s. The value should be "+
					"a path (string) to the resource that the driver will interact with. For example: "+
					"/redfish/v1/Systems/1", exception.PyStr(v), uuid))
		}
		di.systemID = quotePath(s)
	}

	di.verifyCA = verifyCA{verify: true}
	if v, ok := info[InfoVerifyCA]; ok {
		bad := func() error {
			return exception.InvalidParameterValue(fmt.Sprintf(
				"Invalid value type set in driver_info/redfish_verify_ca on node %s. The value should be a "+
					"Boolean or the path to a file/directory, not \"%s\"", uuid, exception.PyStr(v)))
		}
		switch x := v.(type) {
		case bool:
			di.verifyCA.verify = x
		case string:
			if _, err := os.Stat(x); err == nil {
				di.verifyCA.path = x
				break
			}
			b, ok := boolFromString(x)
			if !ok {
				return nil, bad()
			}
			di.verifyCA.verify = b
		default:
			return nil, bad()
		}
	}

	di.authType = defaultAuth
	if v, ok := info[InfoAuthType]; ok {
		s, _ := v.(string)
		if !slices.Contains([]string{AuthBasic, AuthSession, AuthAuto}, s) || !isString(v) {
			return nil, exception.InvalidParameterValue(fmt.Sprintf(
				"Invalid value \"%s\" set in driver_info/redfish_auth_type on node %s. The value should be "+
					"one of \"basic\", \"session\" or \"auto\".", exception.PyStr(v), uuid))
		}
		di.authType = s
	}

	for _, k := range []string{InfoUsername, InfoPassword} {
		v, ok := info[k]
		if !ok || v == nil {
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			// Ironic passes such a value to sushy, which fails later; say
			// it now (never echoing a password).
			return nil, exception.InvalidParameterValue(fmt.Sprintf(
				"Invalid value type set in driver_info/%s on node %s. The value should be a string", k, uuid))
		}
		if k == InfoUsername {
			di.username = s
		} else {
			di.password = s
		}
	}
	return di, nil
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

// boolFromString is oslo's strutils.bool_from_string(strict=True).
func boolFromString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

// pyTruthy is Python's bool(v) for JSON values.
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
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

package messaging

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ErrBadURL is returned by [ParseURL]. Its messages never contain a
// password.
var ErrBadURL = errors.New("messaging: invalid transport URL")

// Secret is a string that never prints: String, GoString, MarshalText and
// Format all give "***". Use [Secret.Reveal] to get the value.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "***", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "***"
}

// GoString returns a masked Go representation.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalText returns the masked form, so JSON and loggers never see it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Format masks the secret for every fmt verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// Host is one broker of a transport URL.
type Host struct {
	Hostname string
	Port     int // 0: the driver's default
	Username string
	Password Secret
}

// URL is an oslo transport URL,
// "rabbit://user:pass@host1:5672,user:pass@host2:5672/vhost?option=value".
// The schemes understood are rabbit, amqp (AMQP 0-9-1, plain), amqps
// (AMQP 0-9-1 over TLS) and memory (the in-memory transport).
type URL struct {
	Scheme string
	Hosts  []Host
	// VirtualHost is the unescaped path after "/"; empty means "/".
	VirtualHost string
	// Query holds the [oslo_messaging_rabbit] options given in the URL.
	Query url.Values
}

// ParseURL parses a transport URL the way oslo's TransportURL.parse does.
func ParseURL(raw string) (*URL, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("%w: missing scheme (want rabbit://, amqps:// or memory://)", ErrBadURL)
	}
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "rabbit", "amqp", "amqps", "kombu", "memory":
	default:
		return nil, fmt.Errorf("%w: unsupported scheme %q", ErrBadURL, scheme)
	}
	if scheme == "kombu" {
		scheme = "rabbit"
	}
	u := &URL{Scheme: scheme, Query: url.Values{}}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		q, err := url.ParseQuery(rest[i+1:])
		if err != nil {
			return nil, fmt.Errorf("%w: bad query string", ErrBadURL)
		}
		u.Query = q
		rest = rest[:i]
	}
	netloc, path, _ := strings.Cut(rest, "/")
	vhost, err := url.PathUnescape(path)
	if err != nil {
		return nil, fmt.Errorf("%w: bad virtual host escape", ErrBadURL)
	}
	u.VirtualHost = vhost
	if netloc == "" {
		return u, nil
	}
	for _, h := range strings.Split(netloc, ",") {
		host, err := parseHost(h)
		if err != nil {
			return nil, err
		}
		u.Hosts = append(u.Hosts, host)
	}
	return u, nil
}

func parseHost(s string) (Host, error) {
	var h Host
	hostport := s
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		userinfo := s[:at]
		hostport = s[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		var err error
		if h.Username, err = url.PathUnescape(user); err != nil {
			return h, fmt.Errorf("%w: bad escape in user name", ErrBadURL)
		}
		if hasPass {
			p, err := url.PathUnescape(pass)
			if err != nil {
				return h, fmt.Errorf("%w: bad escape in password of user %q", ErrBadURL, h.Username)
			}
			h.Password = Secret(p)
		}
	}
	name, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return h, fmt.Errorf("%w: unclosed IPv6 address %q", ErrBadURL, hostport)
		}
		name = hostport[1:end]
		if after := hostport[end+1:]; after != "" {
			if !strings.HasPrefix(after, ":") {
				return h, fmt.Errorf("%w: garbage after IPv6 address %q", ErrBadURL, hostport)
			}
			port = after[1:]
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		name, port = hostport[:i], hostport[i+1:]
	}
	h.Hostname = name
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p <= 0 || p > 65535 {
			return h, fmt.Errorf("%w: bad port %q for host %q", ErrBadURL, port, name)
		}
		h.Port = p
	}
	return h, nil
}

// String returns the URL with every password replaced by "***".
func (u *URL) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	for i, h := range u.Hosts {
		if i > 0 {
			b.WriteByte(',')
		}
		if h.Username != "" || h.Password != "" {
			b.WriteString(url.PathEscape(h.Username))
			if h.Password != "" {
				b.WriteString(":***")
			}
			b.WriteByte('@')
		}
		b.WriteString(h.Address(0))
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(u.VirtualHost))
	if len(u.Query) > 0 {
		b.WriteByte('?')
		b.WriteString(u.Query.Encode())
	}
	return b.String()
}

// Address returns "host:port", bracketing IPv6 literals; defPort is used
// when the URL gave none (0 leaves the port out).
func (h Host) Address(defPort int) string {
	name := h.Hostname
	if strings.Contains(name, ":") {
		name = "[" + name + "]"
	}
	port := h.Port
	if port == 0 {
		port = defPort
	}
	if port == 0 {
		return name
	}
	return name + ":" + strconv.Itoa(port)
}

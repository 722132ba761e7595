package conf

import (
	"context"
	"net"
	"os"
	"strings"
	"time"
)

// FQDN returns the machine's name as Python's socket.getfqdn() finds it
// (Ironic's default for [DEFAULT] host): the host name is resolved to an
// address and that address looked up in reverse; the first of the names
// found that contains a dot wins, else the first name found. When a lookup
// fails the host name itself is returned ("localhost" if even that is
// unknown). Lookups are bounded to a few seconds.
func FQDN() string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return "localhost"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var r net.Resolver
	addrs, err := r.LookupHost(ctx, name)
	if err != nil || len(addrs) == 0 {
		return name
	}
	names, err := r.LookupAddr(ctx, addrs[0])
	if err != nil || len(names) == 0 {
		return name
	}
	for _, n := range names {
		if n = strings.TrimSuffix(n, "."); strings.Contains(n, ".") {
			return n
		}
	}
	return strings.TrimSuffix(names[0], ".")
}

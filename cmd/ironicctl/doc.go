// Command ironicctl is a small operator CLI for ironic-go conductors (and
// Python ones: it speaks the conductor RPC API 1.40). It reads the same
// ironic.conf as the conductor: [DEFAULT] transport_url and
// control_exchange to send RPCs, [database] connection (or the embedded
// $state_path/ironic.sqlite) for the hash ring's membership and for
// read-only listing. It plays the part ironic-api plays for the baremetal
// CLI: node names are resolved in the database, each call is routed to
// the node's conductor on the hash ring.
//
//	ironicctl [--config-file FILE]... [--config-dir DIR]... COMMAND [ARGS]
//
// Run "ironicctl help" for the commands. Errors from the conductor print
// Ironic's exception class, its HTTP code and its message; the exit status
// is then 1.
//
// Mirrors python-ironicclient's "baremetal" commands, over RPC.
package main

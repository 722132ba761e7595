// Command chassisctl is the chassis control program the tests give
// ipmi_sim: it keeps power and boot state in files under a state directory,
// so the state survives a simulator restart and a test can read what the
// BMC was told. It needs no shell (the shared sim/ipmi/chassisctl.sh did), so a
// simulated BMC answers a power read with one fork instead of four (the
// power sync benchmark measures the conductor, not /bin/sh).
//
// usage: chassisctl [-log FILE] STATEDIR get PARAM... | set PARAM VALUE...
// With -log, "<unix time> <op> <param>" is appended to FILE first.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	args := os.Args[1:]
	logFile := ""
	if len(args) >= 2 && args[0] == "-log" {
		logFile, args = args[1], args[2:]
	}
	if len(args) < 2 {
		os.Exit(1)
	}
	dir, op, params := args[0], args[1], args[2:]
	if logFile != "" {
		first := ""
		if len(params) > 0 {
			first = params[0]
		}
		appendLine(logFile, fmt.Sprintf("%.9f %s %s", float64(time.Now().UnixNano())/1e9, op, first))
	}
	_ = os.MkdirAll(dir, 0o755)
	read := func(name, def string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return def
		}
		return strings.TrimSpace(string(b))
	}
	write := func(name, v string) { _ = os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644) }
	now := func() string { return fmt.Sprintf("%.9f", float64(time.Now().UnixNano())/1e9) }
	switch op {
	case "get":
		for _, p := range params {
			switch p {
			case "power":
				fmt.Printf("power:%s\n", read("power", "0"))
			case "boot":
				fmt.Printf("boot:%s\n", read("boot", "default"))
			default:
				fmt.Printf("Invalid parameter: %s\n", p)
				os.Exit(1)
			}
		}
	case "set":
		for len(params) >= 2 {
			p, v := params[0], params[1]
			params = params[2:]
			switch p {
			case "power", "boot", "identify":
				write(p, v)
			case "reset":
				appendLine(filepath.Join(dir, "events"), now()+" reset")
			case "shutdown":
				write("power", "0")
				appendLine(filepath.Join(dir, "events"), now()+" soft-off")
			default:
				fmt.Printf("Invalid parameter: %s\n", p)
				os.Exit(1)
			}
		}
	default:
		os.Exit(1)
	}
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
}

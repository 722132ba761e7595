package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/objects/exception"
)

const prog = "ironicctl"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage is a command line that cannot be run; the usage was printed.
var errUsage = errors.New("usage")

// run runs one command and returns the exit status: 0, 1 for a failure,
// 2 for a bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var fl conf.Flags
	global := flag.NewFlagSet(prog, flag.ContinueOnError)
	global.SetOutput(stderr)
	fl.Register(global)
	global.Usage = func() { usage(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if global.NArg() == 0 || global.Arg(0) == "help" {
		usage(stdout)
		if global.NArg() == 0 {
			return 2
		}
		return 0
	}
	name := global.Arg(0)
	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q (see %s help)\n", prog, name, prog)
		return 2
	}

	fs := flag.NewFlagSet(prog+" "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var more conf.Flags // the config flags may also follow the command
	more.Register(fs)
	var o opts
	if cmd.flags != nil {
		cmd.flags(fs, &o)
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s %s [flags] %s\n  %s\n", prog, name, cmd.args, cmd.help)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, global.Args()[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != cmd.nargs {
		fs.Usage()
		return 2
	}
	fl.Files = append(fl.Files, more.Files...)
	fl.Dirs = append(fl.Dirs, more.Dirs...)

	e := &env{flags: fl, stdout: stdout}
	defer e.close()
	if err := cmd.run(ctx, e, &o, pos); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "%s: %s\n", prog, err)
			fs.Usage()
			return 2
		}
		fmt.Fprintf(stderr, "%s: %s\n", prog, describe(err))
		return 1
	}
	return 0
}

// parseInterspersed parses flags wherever they are among the positional
// arguments ("node-show demo --fields name" as well as "node-show
// --fields name demo"); "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// describe formats an error as one line: Ironic's exceptions, from the
// conductor or the database, as "Class (HTTP code): message".
func describe(err error) string {
	var ie *exception.Error
	if errors.As(err, &ie) {
		return fmt.Sprintf("%s (HTTP %d): %s", ie.Class, ie.Code(), ie.Error())
	}
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s [--config-file FILE]... [--config-dir DIR]... COMMAND [flags] [ARGS]\n\n", prog)
	fmt.Fprintf(w, "Reads ironic.conf (default: ~/.ironic/ironic.conf, ~/ironic.conf, /etc/ironic/ironic.conf, /etc/ironic.conf).\n")
	fmt.Fprintf(w, "NODE is a node's name or UUID. \"%s COMMAND --help\" shows a command's flags.\n\n", prog)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.args, c.help)
	}
	_ = tw.Flush()
}

func findCommand(name string) (*command, bool) {
	i := slices.IndexFunc(commands, func(c *command) bool { return c.name == name })
	if i < 0 {
		return nil, false
	}
	return commands[i], true
}

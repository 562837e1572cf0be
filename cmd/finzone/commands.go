package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one of finzone's commands: how it is called, what it does,
// and the flags it takes. flags registers them on the command's flag set,
// into cfg and opts, the same for running it and for its help.
type command struct {
	name, args, short, summary string
	flags                      func(fs *flag.FlagSet, cfg *config, opts *cmdOptions)
}

// cmdOptions are what one command takes besides the config.
type cmdOptions struct {
	Scale                          int
	Email, Password, Name, Regions string
}

// staffFlags are a new admin's or coordinator's.
func staffFlags(fs *flag.FlagSet, opts *cmdOptions, coordinator bool) {
	fs.StringVar(&opts.Email, "email", "", "sign-in email")
	fs.StringVar(&opts.Password, "password", "", "password (at least 10 characters, not a common one)")
	fs.StringVar(&opts.Name, "name", "", "the person's name")
	if coordinator {
		fs.StringVar(&opts.Regions, "regions", "", "comma-separated region codes the coordinator may see: 340000 (province), a city or a county")
	}
}

var commands = []command{
	{"all", "[flags]", "run everything in one process (the default)", "Run everything in one process: the web server and the JSON API, the workers, and, with no\nFINZONE_MONGO_URI / FINZONE_REDIS_URL, an embedded FerretDB (SQLite, under the data directory)\nand an embedded Redis, with demo data. This is what plain `finzone` runs.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.register(fs) }},
	{"api", "[flags]", "run only the HTTP server", "Run only the HTTP server (the JSON API and the pages); workers run elsewhere on the same\nMongoDB and Redis.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.processFlags(fs); c.httpFlags(fs) }},
	{"worker", "[flags]", "run only the background workers", "Run only the background workers (the 1+10 pipeline); servers run elsewhere on the same\nMongoDB and Redis. Start as many as you like: periodic tasks run once per period.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.processFlags(fs); c.workerFlags(fs) }},
	{"seed", "[-scale N] [flags]", "load deterministic demo data", "Load the deterministic demo data (and the demo accounts). -scale 20 makes 10,000 projects.\nRunning it twice adds nothing the second time.",
		func(fs *flag.FlagSet, c *config, o *cmdOptions) {
			c.storeFlags(fs)
			fs.IntVar(&o.Scale, "scale", 1, "multiply the demo data (1: ~200 enterprises, 30 institutions, 150 products, 500 projects)")
		}},
	{"db", "[flags]", "run only the embedded MongoDB-wire server, printing its URI", "Run only the embedded MongoDB-wire server (FerretDB on SQLite) on the data directory, so that\nseparate api and worker processes on one machine share it. Prints its URI, with the database.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.embeddedDBFlags(fs) }},
	{"admin create-admin", "-email E -password P [flags]", "create a platform admin", "Create a platform admin (admins cannot register themselves).",
		func(fs *flag.FlagSet, c *config, o *cmdOptions) {
			c.storeFlags(fs)
			staffFlags(fs, o, false)
		}},
	{"admin create-coordinator", "-email E -password P -name N -regions 340000[,341200...] [flags]", "create a coordinator for a province, city or county", "Create a coordinator and their finance office, scoped to a province, city or county.",
		func(fs *flag.FlagSet, c *config, o *cmdOptions) { c.storeFlags(fs); staffFlags(fs, o, true) }},
	{"admin reset-password", "-email E -password P [flags]", "set a password and sign out every session", "Set a user's password and sign out every session of theirs.",
		func(fs *flag.FlagSet, c *config, o *cmdOptions) {
			c.storeFlags(fs)
			fs.StringVar(&o.Email, "email", "", "the user's sign-in email")
			fs.StringVar(&o.Password, "password", "", "the new password (at least 10 characters, not a common one)")
		}},
	{"admin rebuild-stats", "[flags]", "recount the dashboards' counters from the projects and matches", "Recount every dashboard counter from the projects and matches (one scan of each) and replace the\nstored ones. Processes rebuild missing counters at start; run this when they may have drifted\n(a process killed between a write and its count), best while the platform is idle: a write\nmade during the scans may be counted twice or not at all.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.storeFlags(fs) }},
	{"admin load-holidays", "[flags] <year>.csv", "store a year's holiday arrangement (date,kind,name)", "Store a year's holiday arrangement. The CSV has a header date,kind,name and a row per day off\n(holiday) or make-up working day (workday), all of one year; # starts a comment. Processes use\nit from their next start.",
		func(fs *flag.FlagSet, c *config, _ *cmdOptions) { c.storeFlags(fs) }},
}

// lookup finds a command by its name ("seed", "admin reset-password").
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// parseFlags parses a command's arguments into cfg and opts. -h prints the
// command's help on stdout and returns flag.ErrHelp; a bad flag prints it
// on stderr and returns errBadUsage.
func parseFlags(name string, args []string, cfg *config, opts *cmdOptions) (*flag.FlagSet, error) {
	fs := flagSet(name, cfg, opts)
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return fs, err
	case err != nil:
		fs.SetOutput(os.Stderr)
		fmt.Fprintf(os.Stderr, "finzone %s: %v\n\n", name, err)
		fs.Usage()
		return fs, errBadUsage
	}
	return fs, nil
}

// errBadUsage is a command line that names a flag or command finzone does
// not have; what it has was printed.
var errBadUsage = errors.New("bad usage")

// flagSet is a command's flags, with its help as usage.
func flagSet(name string, cfg *config, opts *cmdOptions) *flag.FlagSet {
	c, ok := lookup(name)
	if !ok {
		panic("finzone: no command " + name) // a programming error: callers name commands in the table
	}
	fs := flag.NewFlagSet("finzone "+name, flag.ContinueOnError)
	c.flags(fs, cfg, opts)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: finzone %s %s\n\n%s\n\nFlags (each defaults to the environment variable named):\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// run runs the command the arguments name; with none, or only flags, the
// all-in-one process.
func run(ctx context.Context, args []string) error {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return serve(ctx, "all", args)
	}
	name, rest := args[0], args[1:]
	switch {
	case isHelp(name):
		return help(os.Stdout, rest)
	case name == "all" || name == "api" || name == "worker":
		return serve(ctx, name, rest)
	case name == "seed":
		return seedCmd(ctx, rest)
	case name == "db":
		return dbCmd(ctx, rest)
	case name == "admin":
		return adminCmd(ctx, rest)
	}
	fmt.Fprintf(os.Stderr, "finzone: unknown command %q\n\n", name)
	usage(os.Stderr, "")
	return errBadUsage
}

func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// help prints the commands (under "admin", the admin commands), or one
// command's help.
func help(w io.Writer, args []string) error {
	name := strings.Join(args, " ")
	switch name {
	case "", "admin":
		usage(w, name)
		return nil
	}
	if _, ok := lookup(name); !ok {
		fmt.Fprintf(os.Stderr, "finzone help: no command %q\n\n", name)
		usage(os.Stderr, "")
		return errBadUsage
	}
	fs := flagSet(name, &config{}, &cmdOptions{})
	fs.SetOutput(w)
	fs.Usage()
	return nil
}

// usage lists the commands whose names start with prefix.
func usage(w io.Writer, prefix string) {
	fmt.Fprint(w, "finzone — the cluster finance zone platform (集群融资专区)\n\nUsage:\n")
	for _, c := range commands {
		if strings.HasPrefix(c.name, prefix) {
			fmt.Fprintf(w, "  finzone %-26s %s\n", c.name, c.short)
		}
	}
	fmt.Fprintf(w, "  finzone %-26s %s\n\n", "help <command>", "a command's flags: finzone help seed, finzone help admin reset-password")
	if prefix == "" {
		fmt.Fprint(w, "With no FINZONE_MONGO_URI / FINZONE_REDIS_URL, an embedded FerretDB (SQLite, under\nFINZONE_DATA_DIR) and an embedded Redis are started in-process.\n")
	}
}

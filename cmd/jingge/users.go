package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
)

// authOptions are the flags every users and tokens subcommand shares.
type authOptions struct {
	dbURL    string
	authFile string
}

func (o *authOptions) register(fs *flag.FlagSet) {
	dbFlagVar(fs, &o.dbURL, "empty uses the embedded store's auth file")
	fs.StringVar(&o.authFile, "auth-file", defaultAuthFile(), "the embedded store's users and tokens `file`, shared with `jingge serve` without --db (env JINGGE_AUTH_FILE)")
}

// defaultAuthFile is where the embedded store keeps users and tokens:
// $JINGGE_AUTH_FILE, else auth.json in the data directory
// (defaultDataDir).
func defaultAuthFile() string {
	if f := os.Getenv("JINGGE_AUTH_FILE"); f != "" {
		return f
	}
	return authFileIn(defaultDataDir())
}

// authStoreCloser is an auth store and how to let go of it.
type authStoreCloser struct {
	data.AuthStore
	close func() error
}

// openAuthStore opens the users, credentials and audit log: PostGIS with
// --db (migrated at open), else the embedded store's auth file.
func openAuthStore(ctx context.Context, o authOptions) (authStoreCloser, error) {
	if o.dbURL != "" {
		st, err := postgis.Open(ctx, o.dbURL, postgis.Options{})
		if err != nil {
			return authStoreCloser{}, fmt.Errorf("PostGIS store: %w", err)
		}
		return authStoreCloser{st, st.Close}, nil
	}
	if os.Getenv("JINGGE_AUTH_FILE") == "" && o.authFile == authFileIn(defaultDataDir()) {
		if err := adoptLegacyAuthFile(o.authFile, slog.New(slog.DiscardHandler)); err != nil {
			return authStoreCloser{}, err
		}
	}
	a, err := memory.OpenAuthFile(o.authFile, 0)
	if err != nil {
		return authStoreCloser{}, err
	}
	// The file is the embedded demo's, which always has its admin (serve
	// adds it too).
	if err := ensureDemoAdmin(ctx, a); err != nil {
		return authStoreCloser{}, err
	}
	return authStoreCloser{a, func() error { return nil }}, nil
}

// subcommand is one verb of `jingge users` or `jingge tokens`.
type subcommand struct {
	usage string
	run   func(ctx context.Context, st data.AuthStore, args []string, stdin io.Reader, stdout io.Writer) error
	flags func(fs *flag.FlagSet)
}

// runSubcommands parses `jingge NAME VERB [flags] [args]`, opens the auth
// store and runs the verb.
func runSubcommands(ctx context.Context, name, about string, subs map[string]subcommand, order []string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: jingge %s <command> [flags]\n\n%s\n\nCommands:\n", name, about)
		for _, v := range order {
			fmt.Fprintf(w, "  %s\n", subs[v].usage)
		}
		fmt.Fprintf(w, "\nFlags of every command: --db URL (PostGIS) or --auth-file FILE (embedded store, default %s).\n", defaultAuthFile())
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("%w: unknown %s command %q", errUsage, name, args[0])
	}
	fs := flag.NewFlagSet("jingge "+name+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: jingge %s %s\n\nFlags:\n", name, sub.usage)
		fs.PrintDefaults()
	}
	var o authOptions
	o.register(fs)
	if sub.flags != nil {
		sub.flags(fs)
	}
	pos, err := parseWithPositionals(fs, args[1:])
	if err != nil {
		return cliFlagError(err)
	}
	st, err := openAuthStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.close()
	return sub.run(ctx, st, pos, stdin, stdout)
}

func runUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usersCommand(ctx, args, os.Stdin, stdout, stderr)
}

func usersCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var role, officer string
	var passwordStdin bool
	subs := map[string]subcommand{
		"add": {
			usage: "add NAME --role viewer|officer|planner|admin|metrics [--officer MEMBER_ID] [--password-stdin]: add a user; without --password-stdin a password is made and printed once",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&role, "role", "", "the user's `role`: viewer, officer, planner or admin")
				fs.StringVar(&officer, "officer", "", "for officers: the member `id` whose patrol pings the user may post")
				fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
			},
			run: addUser(&role, &officer, &passwordStdin),
		},
		"list": {
			usage: "list: every user with role and state",
			run:   listUsers,
		},
		"passwd": {
			usage: "passwd NAME [--password-stdin]: set a new password (made and printed once without --password-stdin); ends the user's sessions",
			flags: func(fs *flag.FlagSet) {
				fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
			},
			run: setPassword(&passwordStdin),
		},
		"disable": {
			usage: "disable NAME: the user's tokens and sessions stop working at once",
			run:   setDisabled(true),
		},
		"enable": {
			usage: "enable NAME: undo disable (sessions stay ended; tokens work again)",
			run:   setDisabled(false),
		},
	}
	return runSubcommands(ctx, "users", "Manages who may sign in. Roles: admin ⊇ planner ⊇ viewer; officer separate.", subs,
		[]string{"add", "list", "passwd", "disable", "enable"}, args, stdin, stdout, stderr)
}

// addUser is `users add`: the flags' values are read when it runs.
func addUser(role, officer *string, passwordStdin *bool) func(context.Context, data.AuthStore, []string, io.Reader, io.Writer) error {
	return func(ctx context.Context, st data.AuthStore, args []string, stdin io.Reader, stdout io.Writer) error {
		name, err := oneArg(args, "NAME")
		if err != nil {
			return err
		}
		r, err := data.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("%w: --role: %w", errUsage, err)
		}
		pw, shown, err := newPassword(stdin, *passwordStdin)
		if err != nil {
			return err
		}
		hash, err := data.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := st.CreateUser(ctx, data.User{Name: name, Role: r, OfficerID: *officer, PasswordHash: hash}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s user %s\n", r, name)
		if shown {
			fmt.Fprintf(stdout, "password: %s\n(shown once; change it with `jingge users passwd %s`)\n", pw, name)
		}
		return nil
	}
}

// listUsers is `users list`.
func listUsers(ctx context.Context, st data.AuthStore, args []string, _ io.Reader, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: list takes no arguments", errUsage)
	}
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tOFFICER\tPASSWORD\tSTATE\tCREATED")
	for _, u := range users {
		pw, state := "set", "active"
		if u.PasswordHash == "" {
			pw = "none"
		}
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, dash(u.OfficerID), pw, state, u.CreatedAt.Local().Format(time.DateTime))
	}
	return tw.Flush()
}

// setPassword is `users passwd`.
func setPassword(passwordStdin *bool) func(context.Context, data.AuthStore, []string, io.Reader, io.Writer) error {
	return func(ctx context.Context, st data.AuthStore, args []string, stdin io.Reader, stdout io.Writer) error {
		name, err := oneArg(args, "NAME")
		if err != nil {
			return err
		}
		pw, shown, err := newPassword(stdin, *passwordStdin)
		if err != nil {
			return err
		}
		hash, err := data.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, name, hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "changed the password of %s; their sessions are ended\n", name)
		if shown {
			fmt.Fprintf(stdout, "password: %s\n(shown once)\n", pw)
		}
		return nil
	}
}

func setDisabled(disabled bool) func(context.Context, data.AuthStore, []string, io.Reader, io.Writer) error {
	return func(ctx context.Context, st data.AuthStore, args []string, _ io.Reader, stdout io.Writer) error {
		name, err := oneArg(args, "NAME")
		if err != nil {
			return err
		}
		if err := st.SetDisabled(ctx, name, disabled); err != nil {
			return err
		}
		if disabled {
			fmt.Fprintf(stdout, "disabled %s\n", name)
		} else {
			fmt.Fprintf(stdout, "enabled %s\n", name)
		}
		return nil
	}
}

// newPassword reads a password from stdin's first line, or makes one (and
// reports that it must be shown).
func newPassword(stdin io.Reader, fromStdin bool) (pw string, shown bool, err error) {
	if !fromStdin {
		var b [15]byte
		_, _ = rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:]), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, data.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("reading the password: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if err := data.ValidatePassword(pw); err != nil {
		return "", false, fmt.Errorf("%w: %w", errUsage, err)
	}
	return pw, false, nil
}

// oneArg returns the single positional argument.
func oneArg(args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("%w: give exactly one %s, got %q", errUsage, what, args)
	}
	return args[0], nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

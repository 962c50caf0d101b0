package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jingge/data"
)

func runTokens(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokensCommand(ctx, args, os.Stdin, stdout, stderr, time.Now)
}

func tokensCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) error {
	var user, label, expires string
	var all bool
	subs := map[string]subcommand{
		"create": {
			usage: "create --user NAME [--label TEXT] [--expires 90d|12h|never]: make an API token; it is printed once",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&user, "user", "", "the `user` the token acts as")
				fs.StringVar(&label, "label", "", "what the token is for, e.g. simulator")
				fs.StringVar(&expires, "expires", "90d", "lifetime: a `duration` such as 90d or 12h, or never")
			},
			run: func(ctx context.Context, st data.AuthStore, args []string, _ io.Reader, stdout io.Writer) error {
				if len(args) > 0 || user == "" {
					return fmt.Errorf("%w: create takes --user NAME and no arguments", errUsage)
				}
				life, err := parseLifetime(expires)
				if err != nil {
					return err
				}
				if len(label) > 200 {
					return fmt.Errorf("%w: --label is longer than 200 characters", errUsage)
				}
				secret, hash, id := data.NewSecret(data.KindToken)
				c := data.Credential{ID: id, Kind: data.KindToken, UserName: user, Label: label, Hash: hash, CreatedAt: now()}
				if life > 0 {
					c.ExpiresAt = c.CreatedAt.Add(life)
				}
				if err := st.CreateCredential(ctx, c); err != nil {
					return err
				}
				exp := "never"
				if life > 0 {
					exp = c.ExpiresAt.Local().Format(time.DateTime)
				}
				fmt.Fprintf(stdout, "token %s for %s (expires %s):\n%s\n", id, user, exp, secret)
				fmt.Fprintln(stdout, "(shown once; send it as `Authorization: Bearer <token>`)")
				return nil
			},
		},
		"list": {
			usage: "list [--user NAME] [--all]: tokens in force (--all: also expired and revoked)",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&user, "user", "", "only the tokens of `user`")
				fs.BoolVar(&all, "all", false, "include expired and revoked tokens")
			},
			run: func(ctx context.Context, st data.AuthStore, args []string, _ io.Reader, stdout io.Writer) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: list takes no arguments", errUsage)
				}
				creds, err := st.ListCredentials(ctx, data.KindToken, user)
				if err != nil {
					return err
				}
				t := now()
				tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tUSER\tLABEL\tCREATED\tEXPIRES\tLAST USED\tSTATE")
				for _, c := range creds {
					state := "active"
					switch {
					case !c.RevokedAt.IsZero():
						state = "revoked " + c.RevokedAt.Local().Format(time.DateTime)
					case !c.Active(t):
						state = "expired"
					}
					if state != "active" && !all {
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.UserName, dash(c.Label), when(c.CreatedAt), when(c.ExpiresAt), when(c.LastUsedAt), state)
				}
				return tw.Flush()
			},
		},
		"revoke": {
			usage: "revoke ID: the token stops working (within seconds on running servers)",
			run: func(ctx context.Context, st data.AuthStore, args []string, _ io.Reader, stdout io.Writer) error {
				id, err := oneArg(args, "token ID")
				if err != nil {
					return err
				}
				creds, err := st.ListCredentials(ctx, data.KindToken, "")
				if err != nil {
					return err
				}
				found := false
				for _, c := range creds {
					found = found || c.ID == id
				}
				if !found {
					return fmt.Errorf("there is no token %q; `jingge tokens list --all` shows them", id)
				}
				if err := st.RevokeCredential(ctx, id, now()); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "revoked token %s\n", id)
				return nil
			},
		},
	}
	return runSubcommands(ctx, "tokens", "Manages API tokens for machines (simulators, gateways, scripts). Only their SHA-256 is stored.", subs,
		[]string{"create", "list", "revoke"}, args, stdin, stdout, stderr)
}

// parseLifetime reads 90d, 36h, 15m or never (0).
func parseLifetime(s string) (time.Duration, error) {
	if s == "never" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%w: --expires %q: give a lifetime such as 90d, 12h or never", errUsage, s)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

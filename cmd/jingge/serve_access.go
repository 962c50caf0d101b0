package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"jingge/api/auth"
	"jingge/data"
	"jingge/data/auditspool"
	"jingge/data/memory"
)

// demoAdmin is the user the embedded demo's login link signs in as.
const demoAdmin = "demo-admin"

// demoLinkTTL is how long the demo's login link works.
const demoLinkTTL = 15 * time.Minute

// accessOptions are the access-control flags of `jingge serve`.
type accessOptions struct {
	authFile      string
	auditSpool    string
	trustProxy    bool
	secureCookies bool
	limits        auth.Limits
}

func (o *accessOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.authFile, "auth-file", os.Getenv("JINGGE_AUTH_FILE"), "without --db: the `file` of users and tokens made by `jingge users` and `jingge tokens`; empty is auth.json in the data directory (env JINGGE_AUTH_FILE)")
	fs.StringVar(&o.auditSpool, "audit-spool", "", "with --db: a local `file` that keeps audit entries while the database is down, so audited reads go on (without it they get 503)")
	fs.BoolVar(&o.trustProxy, "trust-proxy", false, "behind a reverse proxy: take the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto")
	fs.BoolVar(&o.secureCookies, "secure-cookies", false, "mark session cookies Secure even when the request came over plain HTTP (TLS ends at a proxy that does not say so)")
	fs.Float64Var(&o.limits.PerCredential, "rate", auth.DefaultPerCredential, "requests per second one token or session may send, sustained")
	fs.IntVar(&o.limits.PerCredentialBurst, "burst", auth.DefaultPerCredentialBurst, "requests one token or session may send at once after a pause")
	fs.IntVar(&o.limits.Costly, "max-expensive", 0, "expensive requests (batches, collections, queries, planning) running at once; 0 means twice the CPUs")
}

// openAccess builds the server's access control: the users, credentials
// and audit log of the PostGIS store, or (embedded mode) of the auth file
// plus a demo admin. It returns what to close at exit and, in embedded
// mode, true: the caller prints a login link.
func openAccess(ctx context.Context, o accessOptions, store data.Store, logger *slog.Logger) (acc *auth.Config, closeAll func(), demo bool, err error) {
	acc = &auth.Config{TrustProxy: o.trustProxy, SecureCookies: o.secureCookies, Limits: o.limits}
	closeAll = func() {}
	if st, ok := store.(data.AuthStore); ok {
		acc.Store = st
		if users, err := st.ListUsers(ctx); err == nil && len(users) == 0 {
			logger.Warn("no user can sign in yet; add one with: jingge users add NAME --role admin --db …")
		}
		if o.auditSpool != "" {
			spool, err := auditspool.Open(st, o.auditSpool, logger)
			if err != nil {
				return nil, nil, false, err
			}
			runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
			done := make(chan struct{})
			go func() { defer close(done); spool.Run(runCtx, time.Second) }()
			acc.Audit = spool
			closeAll = func() {
				stop()
				<-done
				if n, err := spool.Drain(context.Background()); err != nil {
					logger.Warn("audit entries stay in the spool for the next start", "file", o.auditSpool, "err", err)
				} else if n > 0 {
					logger.Info("spooled audit entries stored at shutdown", "entries", n)
				}
				spool.Close()
			}
		}
		return acc, closeAll, false, nil
	}
	var auth *memory.Auth
	if d, ok := store.(*memory.Durable); ok {
		auth = d.Auth
	} else if o.authFile != "" {
		if auth, err = memory.OpenAuthFile(o.authFile, 0); err != nil {
			return nil, nil, false, fmt.Errorf("the auth file: %w", err)
		}
	} else {
		auth = memory.NewAuth(0)
	}
	if err := ensureDemoAdmin(ctx, auth); err != nil {
		return nil, nil, false, err
	}
	acc.Store = auth
	return acc, closeAll, true, nil
}

// ensureDemoAdmin adds the embedded demo's admin to st unless it is there.
// It has no password: it signs in with the login link serve prints, and
// `jingge tokens create --user demo-admin` works on a fresh machine before
// serve has ever run.
func ensureDemoAdmin(ctx context.Context, st data.AuthStore) error {
	_, err := st.User(ctx, demoAdmin)
	if !errors.Is(err, data.ErrNotFound) {
		return err
	}
	if err := st.CreateUser(ctx, data.User{Name: demoAdmin, Role: data.RoleAdmin}); err != nil && !errors.Is(err, data.ErrConflict) {
		return fmt.Errorf("creating the demo admin: %w", err)
	}
	return nil
}

// printLoginLink prints a new one-time link that signs in as the demo
// admin, for the server at base.
func printLoginLink(ctx context.Context, w io.Writer, acc *auth.Config, base string) error {
	path, err := auth.NewLoginLink(ctx, acc.Store, demoAdmin, demoLinkTTL)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "jingge: sign in as the demo admin (the link works once, within %s): %s%s\n", demoLinkTTL, base, path)
	return nil
}

package main

import (
	"flag"
	"os"
)

// dbFlag declares --db, the PostgreSQL URL of the PostGIS store, defaulting
// to $DATABASE_URL, on every command that reaches a store; empty says what
// the command does without one ("" when it needs one).
func dbFlag(fs *flag.FlagSet, empty string) *string {
	var url string
	dbFlagVar(fs, &url, empty)
	return &url
}

// dbFlagVar is dbFlag into p.
func dbFlagVar(fs *flag.FlagSet, p *string, empty string) {
	usage := "PostgreSQL `URL` of the PostGIS store (env DATABASE_URL)"
	if empty != "" {
		usage = "PostgreSQL `URL` of the PostGIS store; " + empty + " (env DATABASE_URL)"
	}
	fs.StringVar(p, "db", os.Getenv("DATABASE_URL"), usage)
}

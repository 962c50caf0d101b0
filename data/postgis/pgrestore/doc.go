// Package pgrestore writes a dump of the embedded store (data.Dump: the
// grids with their whole history, incidents, plans, patrols, users, the
// audit log, idempotency keys, visits, disputes and tasks) into a new
// PostGIS database, keeping every id, version and time, step by step
// (Steps) inside one transaction.
//
// It neither begins nor commits, checks that the database is new or maps
// errors for clients: the store's Restore does those. It imports pgsql,
// data, geo and pgx; data/postgis imports it.
package pgrestore

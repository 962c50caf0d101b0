// Package pgsnapshot reads the dataset of the PostGIS store inside a
// transaction: as it is in force now, or as it was at a past moment (the
// grids, areas, places and checkpoints in force then, the stations those
// grids name, today's everything else). Read in one repeatable-read
// transaction, the parts are one consistent snapshot.
//
// It neither begins nor ends transactions nor maps errors for clients:
// the store does both. It imports pgsql, data, geo and pgx; data/postgis
// imports it.
package pgsnapshot

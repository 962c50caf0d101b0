// Package pgimport is the dataset import of the PostGIS store: inside a
// transaction that holds the schema's write lock, it stages a dataset in
// temporary tables with COPY, asks PostGIS for invalid geometries,
// overlaps, gaps and grids outside their parents, classifies each grid as
// created, changed, unchanged or retired, and writes the new versions.
//
// It neither begins nor commits: the store's Import does both and maps
// errors for clients, so a failed or dry-run import leaves the database as
// it was. It imports pgsql, data, geo and pgx; data/postgis imports it.
package pgimport

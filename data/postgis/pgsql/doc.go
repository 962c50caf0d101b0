// Package pgsql is the pure half of the PostGIS store: the SQL text of its
// queries, built from small functions with $n placeholders (Args) so that
// nothing a caller sends is pasted into a statement; the encoding of
// domain values into column values (WKB and EWKB geometry, NULL for empty
// values, COPY rows and sources); the decoding of rows back into domain
// values; and the checks a dataset must pass before PostgreSQL sees it.
//
// Nothing here holds a connection, a pool or a context: every function is
// tested without a database. It imports data, geo, orb and pgx's value
// types only; data/postgis and its tx-level sub-packages import it, never
// the reverse.
package pgsql

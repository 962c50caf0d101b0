// Package geo holds jingge's domain value types (terrain regions, stations,
// grids, members, datasets) and the immutable in-memory Index that answers
// "which grid is this point in" without touching a database.
//
// Coordinates are orb.Points in the dataset's datum (Dataset.Meta.Datum),
// longitude first. Conversions from other datums live in geo/crs.
package geo

// Package pages serves the web front-end (package web) beside the API:
// the command-center map at /, the officer page at /m and the planner
// page at /plan with their hashed assets, each read once at start, sent
// gzip-encoded when that pays and revalidated by ETag, under a strict
// Content-Security-Policy; and the small documents the pages read besides
// the API's data: the deployment's settings (/api/v1/ui-config and its
// basemap), the label points of grids and townships (/api/v1/labels) and
// the ranking of the grid search (/api/v1/search).
//
// It may import api/httpx, geo and orb, never api: api mounts the pages in
// front of its routes and declares who may call the routes.
package pages

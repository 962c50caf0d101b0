// Package intake reads incidents as people send them: the JSON and
// GeoJSON bodies of POST /api/v1/incidents (Decode) and the CSV and
// GeoJSON files of `jingge import incidents` (ParseFile, ParseCSV), with
// the field readers both share (ParseTime, ParseCategory, ValidStatus) and
// the coordinate readers every request that carries a point uses
// (ParseCoordinates, Position, PointGeometry), and the reader of the ends
// of every time window a route takes (ParseWindowTime: from=, to=,
// since=, until=, datetime=), so a date means one thing across the API.
// It only reads and checks: converting datums, attributing to grids and
// storing are its callers'.
//
// It may import geo and data (for the decimal parser, the China
// time zone and its refusals) and nothing above them: no HTTP, no api.
// Its refusals are *data.RequestError values naming each bad input; a
// body of more incidents than allowed is of kind ErrTooMany.
package intake

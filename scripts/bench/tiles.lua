-- wrk script for scripts/bench/tiles.sh: requests, in turn, every tile over
-- a bounding box at zooms zmin..zmax, accepting gzip as browsers do.
--   wrk ... -s tiles.lua URL -- WEST SOUTH EAST NORTH ZMIN ZMAX [LAYER]
-- Each thread starts at a different tile.

local paths = {}
local i = 0

local function tilex(lon, z)
  return math.floor((lon + 180) / 360 * 2 ^ z)
end

local function tiley(lat, z)
  local r = math.rad(lat)
  return math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2 ^ z)
end

function init(args)
  local w, s, e, n = tonumber(args[1]), tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  local zmin, zmax = tonumber(args[5]), tonumber(args[6])
  local prefix = "/tiles/"
  if args[7] and args[7] ~= "" then
    prefix = prefix .. args[7] .. "/"
  end
  for z = zmin, zmax do
    for x = tilex(w, z), tilex(e, z) do
      for y = tiley(n, z), tiley(s, z) do
        paths[#paths + 1] = string.format("%s%d/%d/%d.mvt", prefix, z, x, y)
      end
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end

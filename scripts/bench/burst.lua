-- A write burst for wrk (scripts/bench.sh): each request is one line of the file given after "--",
-- used once: "TOKEN<TAB>CSRF<TAB>PATH<TAB>JSON BODY"; the next argument is wrk's thread count. The
-- lines are dealt out to the threads (line i to thread i mod threads); a thread that has sent all
-- of its lines stops (answers still in flight then are not counted). Only 2xx answers count as
-- acknowledged. wrk's own duration is always its -d, so the run's length is taken here: from the
-- first request to the last acknowledged answer of any thread (CLOCK_MONOTONIC through LuaJIT's
-- FFI). done() prints "acked N in S s; not 2xx: STATUS:COUNT ..." and "; ran out" when a thread
-- used all of its lines.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } linli_timespec;
  int clock_gettime(int clk, linli_timespec *tp);
]]
local ts = ffi.new("linli_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines, next_line, ok, other, first, last, ran_out = {}, 1, 0, {}, 0, 0, false
  local i = 0
  for line in io.lines(args[1]) do
    if i % tonumber(args[2]) == id then
      local token, csrf, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      lines[#lines + 1] = wrk.format("POST", path, {
        ["Cookie"] = "linli_session=" .. token,
        ["X-CSRF-Token"] = csrf,
        ["Content-Type"] = "application/json",
      }, body)
    end
    i = i + 1
  end
  idle = wrk.format("GET", "/healthz")
end

function request()
  if first == 0 then
    first = now()
  end
  local r = lines[next_line]
  if r == nil then
    ran_out = true
    wrk.thread:stop()
    return idle
  end
  next_line = next_line + 1
  return r
end

function response(status, headers, body)
  if body:sub(1, 11) == '{"status":"' then
    return -- /healthz, asked after the lines ran out
  elseif status >= 200 and status < 300 then
    ok = ok + 1
    last = now()
  else
    other[status] = (other[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local acked, bad, first_all, last_all, out = 0, {}, math.huge, 0, false
  for _, t in ipairs(threads) do
    acked = acked + t:get("ok")
    if t:get("first") > 0 and t:get("first") < first_all then first_all = t:get("first") end
    if t:get("last") > last_all then last_all = t:get("last") end
    out = out or t:get("ran_out")
    for status, n in pairs(t:get("other")) do
      bad[status] = (bad[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(bad) do
    parts[#parts + 1] = status .. ":" .. n
  end
  local seconds = last_all > first_all and last_all - first_all or summary.duration / 1e6
  io.write(string.format("acked %d in %.3f s; not 2xx: %s%s\n", acked, seconds,
    #parts > 0 and table.concat(parts, " ") or "none", out and "; ran out" or ""))
end

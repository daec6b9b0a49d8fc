-- wrk script shared by every scenario of scripts/bench.
--
--   wrk -t THREADS ... -s bench/wrk/scenario.lua URL -- DATAFILE MODE THREADS [METHOD] [BODY]
--
-- DATAFILE holds one request per line: PATH, optionally followed by a tab and a bearer
-- token. MODE is `random` (each request picks a random line) or `once` (every line is sent
-- exactly once, the lines dealt out over the threads; a thread stops when its share is
-- done, and the few requests its connections still send meanwhile go to /healthz).
-- `done` prints one machine-readable RESULT line that scripts/bench parses.

local counter = 0

function setup(thread)
    counter = counter + 1
    thread:set("index", counter)
end

local lines = {}
local mode = "random"
local method = "GET"
local body = nil
local index = 1
local step = 1
local next_line = 1

function init(args)
    local file = assert(io.open(args[1], "r"))
    for line in file:lines() do
        if line ~= "" then
            local path, token = line:match("^([^\t]+)\t?(.*)$")
            table.insert(lines, { path = path, token = token })
        end
    end
    file:close()
    mode = args[2] or "random"
    step = tonumber(args[3]) or 1
    method = args[4] or "GET"
    body = args[5]
    index = wrk.thread:get("index")
    next_line = index
    math.randomseed(index * 7919 + #lines)
end

function request()
    local line
    if mode == "once" then
        line = lines[next_line]
        next_line = next_line + step
        if line == nil then
            wrk.thread:stop()
            return wrk.format("GET", "/healthz")
        end
    else
        line = lines[math.random(#lines)]
    end
    local headers = { ["Accept"] = "application/json" }
    if line.token ~= nil and line.token ~= "" then
        headers["Authorization"] = "Bearer " .. line.token
    end
    if body ~= nil then
        headers["Content-Type"] = "application/json"
    end
    return wrk.format(method, line.path, headers, body)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d errors=%d status_errors=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
        latency:percentile(99), latency.max, e.connect + e.read + e.write + e.status + e.timeout, e.status))
end

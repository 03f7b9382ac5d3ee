-- wrk script for `deno task bench:http` (bench/http/main.ts).
--
-- Reads the request to send from the file named by BENCH_REQUEST: the
-- method on the first line, the path on the second, then "name: value"
-- header lines, an empty line, and the body. With BENCH_TOKEN, every
-- request carries that token as `Authorization: Bearer …`. With BENCH_TOKENS (a file of
-- tokens, one a line) every request carries the next token of that pool as
-- `Authorization: Bearer …`, each token once: the thread stops when the
-- pool is used up, so no token is ever sent twice. At the end it prints one
-- line, "BENCH_RESULT " followed by JSON, that main.ts reads.

local request_text
local tokens = nil
local repeat_token = false
local next_token = 1
local method, path, headers, body

local function read_file(name)
  local file = assert(io.open(name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local function parse_request(text)
  local lines = {}
  local head, rest = text:match("^(.-)\n\n(.*)$")
  if head == nil then
    head, rest = text, ""
  end
  for line in head:gmatch("[^\n]+") do
    lines[#lines + 1] = line
  end
  local h = {}
  for i = 3, #lines do
    local name, value = lines[i]:match("^([^:]+):%s*(.*)$")
    h[name] = value
  end
  return lines[1], lines[2], h, rest
end

-- Each thread takes every n-th token of the pool, so threads never share one.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_index", threads)
end

init = function(args)
  method, path, headers, body = parse_request(read_file(os.getenv("BENCH_REQUEST")))
  local pool = os.getenv("BENCH_TOKENS")
  if pool ~= nil and pool ~= "" then
    tokens = {}
    local index = 0
    local count = tonumber(os.getenv("BENCH_THREADS") or "1")
    for token in read_file(pool):gmatch("[^\n]+") do
      if index % count == thread_index - 1 then
        tokens[#tokens + 1] = token
      end
      index = index + 1
    end
  else
    request_text = wrk.format(method, path, headers, body)
  end
  -- One token for every request (BENCH_TOKEN): sent exactly as the pool's
  -- are (same header, formatted per request), so the two differ in the
  -- token only. (A request formatted once is cheaper for wrk, and that
  -- alone moved the server's figures by about 5%.)
  local single = os.getenv("BENCH_TOKEN")
  if single ~= nil and single ~= "" then
    tokens = { single }
    repeat_token = true
  end
end

request = function()
  if tokens == nil then
    return request_text
  end
  if repeat_token then
    next_token = 1
  elseif next_token > #tokens then
    -- The pool is used up: stop rather than send a token a second time.
    wrk.thread:stop()
    next_token = #tokens
  end
  headers["Authorization"] = "Bearer " .. tokens[next_token]
  next_token = next_token + 1
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local p = function(q) return latency:percentile(q) end
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency.mean, latency.stdev, latency.max, p(50), p(90), p(99), p(99.9)))
end

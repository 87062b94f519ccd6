-- wrk script: POST a signed GitHub delivery with a fresh delivery id on
-- every request, so a receiver that drops duplicates stores each one.
--
-- Environment: BODY_FILE (the body), SIGNATURE_FILE (the
-- X-Hub-Signature-256 value), EVENT (default pull_request).
-- Prints one `RESULT key=value ...` line at the end, latencies in microseconds.

local function read_file(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. path)
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = read_file(os.getenv("BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "GitHub-Hookshot/prhook-bench"
wrk.headers["X-GitHub-Event"] = os.getenv("EVENT") or "pull_request"
wrk.headers["X-GitHub-Hook-ID"] = "471126354"
wrk.headers["X-Hub-Signature-256"] = (read_file(os.getenv("SIGNATURE_FILE")):gsub("%s+$", ""))

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

-- Each wrk thread runs its own copy of this script, so the id combines the
-- start time, the thread number and a per-thread counter.
local started = os.time()
local sent = 0
function request()
  sent = sent + 1
  wrk.headers["X-GitHub-Delivery"] = string.format("bench-%d-%d-%d", started, thread_number or 0, sent)
  return wrk.format(nil, wrk.path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_timeout=%d non2xx3xx=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end

-- Replays pre-built, pre-signed requests for wrk: BODIES names a file of
-- "<x-hub-signature-256>\t<json body>" lines. Each wrk thread takes every THREADS-th line from
-- its own offset, so no two requests of a run carry the same event (until the file wraps).
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local bodies, sigs, n, counter, stride = {}, {}, 0, 0, 1
function init(args)
  for line in io.lines(os.getenv("BODIES")) do
    local tab = line:find("\t", 1, true)
    n = n + 1
    sigs[n] = line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  counter = offset
  stride = tonumber(os.getenv("THREADS") or "1")
end

function request()
  local i = (counter % n) + 1
  counter = counter + stride
  return wrk.format("POST", os.getenv("WRK_PATH") or "/webhooks/whatsapp",
    { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[i] }, bodies[i])
end

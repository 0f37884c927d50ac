-- fal's status poll through the proxy facade (GET /api/fal/proxy with x-fal-target-url naming a request's status), for
-- request ids read from the file named after "--" (one id a line), in turn: what @fal-ai/client's subscribe sends
-- every 500 ms while it waits.
local ids = {}
local counter = 0

init = function(args)
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
end

request = function()
    counter = counter + 1
    local id = ids[(counter % #ids) + 1]
    -- Headers given to wrk.format replace the command line's (the key among them): copy them in.
    local headers = {}
    for name, value in pairs(wrk.headers) do
        headers[name] = value
    end
    headers["x-fal-target-url"] = "https://queue.fal.run/fal-ai/ltx23-trainer-v2/requests/" .. id .. "/status?logs=0"
    return wrk.format("GET", wrk.path, headers)
end

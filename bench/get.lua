-- GET /v1/trainings/{id} for ids read from the file named after "--" (one id a line), in turn.
local ids = {}
local counter = 0

init = function(args)
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
end

request = function()
    counter = counter + 1
    return wrk.format("GET", wrk.path .. "/" .. ids[(counter % #ids) + 1])
end

-- POST /v1/trainings with a small, valid body; each request gets its own training_data_url.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local counter = 0
math.randomseed(os.time())
local prefix = math.random(1, 1000000000)

request = function()
    counter = counter + 1
    local body = string.format(
        '{"input":{"training_data_url":"https://example.com/bench/%d-%d.zip","number_of_steps":1000,"rank":"32"},"metadata":{"bench":"create"}}',
        prefix, counter)
    return wrk.format(nil, nil, nil, body)
end

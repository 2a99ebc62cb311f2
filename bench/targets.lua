-- wrk script: rotate over logged-in families. Each line of the file given after `--` is
-- "cookie<TAB>path<TAB>body"; a body makes the request a form POST.
local targets = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    local cookie, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(targets, { cookie = cookie, path = path, body = body })
  end
  counter = math.random(#targets)
end

function request()
  counter = counter % #targets + 1
  local target = targets[counter]
  local headers = { ["Cookie"] = target.cookie }
  if target.body ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", target.path, headers, target.body)
  end
  return wrk.format("GET", target.path, headers)
end

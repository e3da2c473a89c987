-- static-tree.lua: the Cache-Control of a file lighttpd sends from the
-- static tree (static_tree = DIR; lighttpd-static.conf.in), the same as
-- modvault's for that file, set when the response starts: only then is
-- it known that lighttpd, not modvault, answers (a miss was rewritten to
-- /_modvault/).  mod_setenv cannot do it: it fixes a request's response
-- headers before lighttpd looks for the file, so a miss modvault answers
-- (a 404, a 302) would get the immutable header too.
local r = lighty.r
local path = r.req_attr["uri.path"]

if path:sub(1, 11) == "/_modvault/" then
	return 0
end
local cache = ({
	info = "public, max-age=86400",
	mod = "public, max-age=31536000, immutable",
	zip = "public, max-age=31536000, immutable",
})[path:match("^/.+/@v/[^/]+%.(%a+)$") or ""]
if cache then
	r.resp_header["Cache-Control"] = cache
end
return 0

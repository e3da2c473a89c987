-- static-tree.lua: the Cache-Control of a file lighttpd sends from the
-- static tree (static_tree = DIR; lighttpd-static.conf.in), the same as
-- modvault's for that file, set when the response starts: only then is
-- it known that lighttpd, not modvault, answers.  The config calls it
-- only for a path that was not rewritten to modvault's /_modvault/, and
-- so ends in .info, .mod or .zip.  mod_setenv cannot do it: it fixes a
-- request's response headers before lighttpd looks for the file, so a
-- miss modvault answers (a 404, a 302) would get the immutable header too.
-- Kept to a status and a suffix: it runs on every hit.
local r = lighty.r
local status = r.req_item.http_status
if status == 200 or status == 206 or status == 304 then
	if r.req_attr["uri.path"]:sub(-5) == ".info" then
		r.resp_header["Cache-Control"] = "public, max-age=86400"
	else
		r.resp_header["Cache-Control"] = "public, max-age=31536000, immutable"
	end
end
return 0

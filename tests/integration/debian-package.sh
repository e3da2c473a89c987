#!/bin/sh
# debian-package.sh: the Debian package, built, checked, installed on this
# machine (CI's is throwaway; the package is purged at the end whatever
# happens, and the script refuses to run where modvault is installed),
# used and removed:
# - dpkg-buildpackage -us -uc -b in a copy of the source tree makes
#   modvault_<configure.ac's version>_<arch>.deb, and lintian reports no
#   error (its warnings are shown);
# - dpkg -i: the files where the package says, /etc/modvault.conf a
#   conffile, the modvault user in group www-data, the store made by
#   postinst (2775 modvault:www-data), the systemd units enabled;
# - a2enmod fcgid, a2enconf modvault: an Apache started from /etc/apache2's
#   enabled modules and confs (on a free port, its own pid and logs)
#   serves the real go command at /go/, filling the store from the test
#   upstream; lighty-enable-mod modvault does the same for lighttpd, and
#   nginx's snippet for the installed modvault.service's command (started
#   as systemd would, by systemd-socket-activate as its user and group);
# - a second build (the changelog's version +test1) upgrades it: config
#   and data kept, everything served with the upstream stopped; the
#   modvault user can remove what www-data stored (group-shared store);
# - dpkg -r keeps the store and the user; dpkg --purge removes the store,
#   the user, the config and the enabling links.
. "$MV_SRCDIR/tests/integration/lib.sh"
need dpkg-buildpackage dh lintian dpkg apache2 a2enconf a2enmod lighttpd \
    lighty-enable-mod nginx systemd-socket-activate setpriv runuser go curl \
    python3
[ "$(id -u)" = 0 ] || skip "installing a package takes root"
if dpkg-query -W -f='${Status}' modvault 2>/dev/null | grep -q installed ||
    getent passwd modvault >/dev/null || [ -e /usr/bin/modvault ] ||
    [ -e /etc/modvault.conf ] || [ -e /var/lib/modvault ]; then
	skip "modvault is installed on this machine; this test installs and purges its own"
fi
[ -e /usr/lib/apache2/modules/mod_fcgid.so ] || skip "libapache2-mod-fcgid not installed"
mv_tmpdir
chmod 755 "$MV_TMP"
run=$MV_TMP/run
mkdir -p "$run/htdocs" "$run/fcgid"
chown www-data:www-data "$run/fcgid"

# Whatever happens, the machine is left as found.
fcgid_was_on=
[ -e /etc/apache2/mods-enabled/fcgid.load ] && fcgid_was_on=1
cleanup() {
	[ -f "$run/httpd.pid" ] && kill "$(cat "$run/httpd.pid")" 2>/dev/null
	[ -n "${lighttpd_pid:-}" ] && kill "$lighttpd_pid" 2>/dev/null
	[ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null
	[ -n "${act_pid:-}" ] && kill "$act_pid" 2>/dev/null
	dpkg --purge modvault >/dev/null 2>&1
	[ -n "$fcgid_was_on" ] || a2dismod -q fcgid >/dev/null 2>&1
	rm -f /etc/apache2/conf-enabled/modvault.conf \
	    /etc/lighttpd/conf-enabled/50-modvault.conf
}
mv_at_exit cleanup

# must DESCRIPTION COMMAND...: check, ending the script when it fails.
must() {
	mv_d=$1
	shift
	if "$@"; then ok "$mv_d"; else fail "$mv_d"; mv_done; fi
}

# --- build ---------------------------------------------------------------
src=$MV_TMP/modvault
mkdir -p "$src"
# The tracked and new files of a git checkout; a dist tarball has no
# build of its own beside the sources but make check's.
if git -C "$MV_SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$MV_SRCDIR" && git ls-files -z -co --exclude-standard |
	    tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$MV_SRCDIR" --exclude=./build --exclude=./build-san \
	    --exclude=./var -cf - . | tar -C "$src" -xf -
fi
version=$(sed -n '/^AC_INIT/{s/^[^,]*, *\[//;s/\].*//;p;}' "$src/configure.ac")
arch=$(dpkg --print-architecture)
t0=$(date +%s)
# make check's jobserver is not the package build's.
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b -j2) >"$MV_TMP/build.log" 2>&1
deb=$MV_TMP/modvault_${version}_$arch.deb
[ -s "$deb" ] || tail -30 "$MV_TMP/build.log" | sed 's/^/# /'
must "dpkg-buildpackage -us -uc -b makes modvault_${version}_$arch.deb" \
    test -s "$deb"
echo "# package build: $(($(date +%s) - t0)) s"
lintian "$deb" >"$MV_TMP/lintian.out" 2>&1
sed 's/^/# lintian: /' "$MV_TMP/lintian.out"
check "lintian reports no error" sh -c "! grep -q '^E:' '$MV_TMP/lintian.out'"
# The second version: the same tree rebuilt under the next changelog
# version (no clean: only the packaging steps run again).
sed -i "1s/($version)/($version+test1)/" "$src/debian/changelog"
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b -nc) >"$MV_TMP/build2.log" 2>&1
deb2=$MV_TMP/modvault_${version}+test1_$arch.deb
[ -s "$deb2" ] || tail -20 "$MV_TMP/build2.log" | sed 's/^/# /'
must "the next version builds" test -s "$deb2"

# --- install ---------------------------------------------------------------
dpkg -i "$deb" >"$MV_TMP/install.log" 2>&1 ||
    sed 's/^/# /' "$MV_TMP/install.log"
must "dpkg -i installs it" sh -c \
    "dpkg-query -W -f='\${Status}' modvault | grep -qx 'install ok installed'"
for f in /usr/bin/modvault /usr/libexec/modvault/modvault.fcgi; do
	check "$f is installed and runs" sh -c "'$f' --version | grep -q ' $version\$'"
done
for f in /etc/apache2/conf-available/modvault.conf \
    /etc/lighttpd/conf-available/50-modvault.conf \
    /etc/nginx/snippets/modvault.conf /etc/default/modvault \
    /lib/systemd/system/modvault.socket /lib/systemd/system/modvault.service \
    /lib/systemd/system/modvault-gc.service /lib/systemd/system/modvault-gc.timer; do
	check "$f is installed" test -s "$f"
done
check "/etc/modvault.conf is a conffile" \
    sh -c "dpkg-query -W -f='\${Conffiles}' modvault | grep -q '^ /etc/modvault.conf '"
check "the system user modvault, primary group www-data" \
    sh -c "[ \"\$(id -gn modvault)\" = www-data ] && [ \"\$(getent passwd modvault | cut -d: -f6)\" = /var/lib/modvault ]"
check "/var/lib/modvault is 2775 modvault:www-data" \
    [ "$(stat -c '%a %U:%G' /var/lib/modvault)" = "2775 modvault:www-data" ]
check "postinst made the store (index.db group-writable)" \
    [ "$(stat -c '%A %U:%G' /var/lib/modvault/index.db)" = "-rw-rw-r-- modvault:www-data" ]
check "modvault.socket and modvault-gc.timer are enabled" \
    sh -c "[ -L /etc/systemd/system/sockets.target.wants/modvault.socket ] &&
        [ -L /etc/systemd/system/timers.target.wants/modvault-gc.timer ]"

# --- served by the system's Apache configuration ----------------------------
must "the test upstream starts" start_upstream "$MV_FIXTURES/upstream"
cat >/etc/modvault.conf <<CONF
# debian-package.sh: the fixture upstream, no checksum database.
data_dir = /var/lib/modvault
upstream = $UP_URL
log_level = warn
CONF
a2enmod -q fcgid >/dev/null 2>&1
check "a2enconf modvault" sh -c "a2enconf -q modvault >/dev/null 2>&1 &&
    [ -L /etc/apache2/conf-enabled/modvault.conf ]"

# start_apache: an Apache built from /etc/apache2's enabled modules and
# confs, on a free port with its own pid, logs and fcgid sockets; sets url.
start_apache() {
	port=$(free_port)
	url=http://127.0.0.1:$port
	cat >"$run/httpd.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $run/httpd.pid
ErrorLog $run/error.log
DefaultRuntimeDir $run
Mutex file:$run default
User www-data
Group www-data
DocumentRoot $run/htdocs
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
FcgidIPCDir $run/fcgid
FcgidProcessTableFile $run/fcgid/shm
IncludeOptional conf-enabled/*.conf
CONF
	APACHE_LOG_DIR=$run apache2 -t -f "$run/httpd.conf" >"$run/t.log" 2>&1 &&
	APACHE_LOG_DIR=$run apache2 -f "$run/httpd.conf" -k start &&
	wait_http "$url/go/healthz" ||
	    { sed 's/^/# /' "$run/t.log" "$run/error.log" 2>/dev/null | tail -20; return 1; }
}
stop_apache() {
	[ -f "$run/httpd.pid" ] || return 0
	mv_p=$(cat "$run/httpd.pid")
	kill "$mv_p" 2>/dev/null
	wait_for 10 mv_gone "$mv_p"
	rm -f "$run/httpd.pid"
}

if start_apache; then
	check "Apache: /go/healthz is 200" \
	    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/go/healthz")" = 200 ]
	check "Apache (a2enconf modvault): the go command builds the fixture client through /go/" \
	    run_go_client "$url/go/"
	check "the misses were fetched from the upstream" \
	    [ "$(upstream_count '\.zip')" -gt 0 ]
	stored=$(modvault --config /etc/modvault.conf ls | wc -l)
	check "and stored ($stored versions)" [ "$stored" -gt 0 ]
	check "what www-data stored is the group's, group-writable" \
	    sh -c "[ -z \"\$(find /var/lib/modvault -path '*/vcs' -prune -o \
	        \\( ! -group www-data -o -type d ! -perm -g+w \\) -print)\" ]"
else
	fail "Apache starts with a2enconf modvault"
fi
stop_apache

# --- lighttpd's conf-available snippet --------------------------------------
check "lighty-enable-mod modvault" sh -c "lighty-enable-mod modvault >/dev/null 2>&1 &&
    [ -L /etc/lighttpd/conf-enabled/50-modvault.conf ]"
mkdir -p /run/lighttpd && chown www-data:www-data /run/lighttpd "$run"
lport=$(free_port)
cat >"$run/lighttpd.conf" <<CONF
server.document-root = "$run/htdocs"
server.bind = "127.0.0.1"
server.port = $lport
server.username = "www-data"
server.groupname = "www-data"
server.pid-file = "$run/lighttpd.pid"
server.errorlog = "$run/lighttpd-error.log"
include "/etc/lighttpd/conf-enabled/50-modvault.conf"
CONF
lighttpd -D -f "$run/lighttpd.conf" &
lighttpd_pid=$!
if wait_http "http://127.0.0.1:$lport/go/healthz"; then
	check "lighttpd (lighty-enable-mod modvault): the go command through /go/" \
	    run_go_client "http://127.0.0.1:$lport/go/"
else
	fail "lighttpd starts with the snippet"
	sed 's/^/# /' "$run/lighttpd-error.log" | tail -10
fi
kill "$lighttpd_pid" 2>/dev/null
wait "$lighttpd_pid" 2>/dev/null
lighttpd_pid=

# --- nginx's snippet, on the installed units' socket and command ------------
# What systemd would run (no systemd here): the unit's ExecStart, user,
# group and environment, on the socket's path, with its mode.
unit=/lib/systemd/system/modvault.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
sock=$(sed -n 's/^ListenStream=//p' /lib/systemd/system/modvault.socket)
mkdir -p "$(dirname "$sock")" "$run/tmp"
chown modvault "$(dirname "$sock")"
# The snippet's "include fastcgi_params" is relative to the config's
# directory: /etc/nginx for Debian's nginx, $run for this one.
ln -sf /etc/nginx/fastcgi_params "$run/fastcgi_params"
setpriv --reuid="$(sed -n 's/^User=//p' "$unit")" \
    --regid="$(sed -n 's/^Group=//p' "$unit")" --clear-groups \
    systemd-socket-activate -l "$sock" \
    env "$(sed -n 's/^Environment=//p' "$unit")" $exec_start \
    </dev/null >/dev/null 2>"$run/activate.err" &
act_pid=$!
# What systemd does with the socket unit's SocketUser, SocketGroup and
# SocketMode.
wait_for 10 test -S "$sock" &&
    chown "$(sed -n 's/^SocketUser=//p' /lib/systemd/system/modvault.socket):$(sed -n 's/^SocketGroup=//p' /lib/systemd/system/modvault.socket)" "$sock" &&
    chmod "$(sed -n 's/^SocketMode=//p' /lib/systemd/system/modvault.socket)" "$sock"
nport=$(free_port)
cat >"$run/nginx.conf" <<CONF
user www-data;
daemon off;
pid $run/nginx.pid;
error_log $run/nginx-error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $run/tmp;
	fastcgi_temp_path $run/tmp;
	server {
		listen 127.0.0.1:$nport;
		include /etc/nginx/snippets/modvault.conf;
	}
}
CONF
nginx -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf" &
nginx_pid=$!
if wait_http "http://127.0.0.1:$nport/go/healthz" &&
    [ "$(curl -s "http://127.0.0.1:$nport/go/healthz")" = ok ]; then
	check "nginx (snippets/modvault.conf) to the unit's socket and command: the go command through /go/" \
	    run_go_client "http://127.0.0.1:$nport/go/"
	check "the unit's command runs as modvault with its children" \
	    [ "$(ps -o user= --ppid "$act_pid" | sort -u | tr -d ' ')" = modvault ]
else
	fail "nginx and the activated responder start"
	sed 's/^/# /' "$run/activate.err" "$run/nginx-error.log" 2>/dev/null | tail -10
fi
kill "$nginx_pid" "$act_pid" 2>/dev/null
wait "$nginx_pid" "$act_pid" 2>/dev/null
nginx_pid= act_pid=
rm -rf "$(dirname "$sock")"

# --- upgrade -------------------------------------------------------------
stop_upstream
dpkg -i --force-confold "$deb2" >"$MV_TMP/upgrade.log" 2>&1 ||
    sed 's/^/# /' "$MV_TMP/upgrade.log"
check "dpkg -i of the next version upgrades it" \
    [ "$(dpkg-query -W -f='${Version}' modvault)" = "$version+test1" ]
check "our /etc/modvault.conf is kept (--force-confold)" \
    grep -qx "upstream = $UP_URL" /etc/modvault.conf
check "the store is kept ($stored versions)" \
    [ "$(modvault --config /etc/modvault.conf ls | wc -l)" = "$stored" ]
if start_apache; then
	check "after the upgrade, with the upstream stopped, everything is served from the store" \
	    run_go_client "$url/go/"
else
	fail "Apache starts after the upgrade"
fi
stop_apache
# The modvault user (the gc timer's) frees blobs in directories www-data made.
gone=$(modvault --config /etc/modvault.conf ls | head -1 | cut -f1)
runuser -u modvault -- modvault --config /etc/modvault.conf rm "$gone" \
    >"$MV_TMP/rm.out" 2>&1
runuser -u modvault -- modvault --config /etc/modvault.conf gc \
    >"$MV_TMP/gc.out" 2>&1
sed 's/^/# /' "$MV_TMP/rm.out" "$MV_TMP/gc.out"
check "as modvault, rm $gone and gc free its blobs www-data stored" \
    grep -Eq '^removed [1-9][0-9]* unreferenced blobs' "$MV_TMP/gc.out"

# --- remove, purge -----------------------------------------------------------
check "dpkg -r removes the programs" \
    sh -c "dpkg -r modvault >/dev/null 2>&1 && [ ! -e /usr/bin/modvault ]"
check "and disables the Apache conf and the lighttpd module" \
    sh -c "[ ! -e /etc/apache2/conf-enabled/modvault.conf ] &&
        [ ! -e /etc/lighttpd/conf-enabled/50-modvault.conf ]"
check "and keeps the store, the user and the config" \
    sh -c "[ -s /var/lib/modvault/index.db ] && getent passwd modvault >/dev/null &&
        [ -s /etc/modvault.conf ]"
check "dpkg --purge removes the store, the user, the config and the unit links" \
    sh -c "dpkg --purge modvault >/dev/null 2>&1 && [ ! -e /var/lib/modvault ] &&
        ! getent passwd modvault >/dev/null && [ ! -e /etc/modvault.conf ] &&
        [ ! -e /etc/apache2/conf-available/modvault.conf ] &&
        ! ls /var/lib/apache2/conf/*/modvault >/dev/null 2>&1 &&
        [ ! -e /etc/systemd/system/sockets.target.wants/modvault.socket ] &&
        [ ! -e /etc/systemd/system/timers.target.wants/modvault-gc.timer ]"
done_testing

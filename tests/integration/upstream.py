#!/usr/bin/env python3
"""upstream.py: a static GOPROXY upstream for the integration tests.

Serves a directory tree (e.g. the fixtures' upstream/) on 127.0.0.1 and
records every request, so tests can count upstream transfers.  Faults can be
injected per path suffix to play a hostile or broken upstream.

usage: upstream.py ROOT PORTFILE LOGFILE [--auth USER:PASS] [--gzip]
                  [--fault SUFFIX=KIND]...
  --auth    require HTTP basic authentication (401 without it)
  --gzip    send every body gzip-encoded to a client that accepts it, with
            the Content-Length of the encoded body (as CDNs do)
  PORTFILE  the chosen port is written here once the server listens
  LOGFILE   one line per request: "METHOD PATH STATUS"
  $UPSTREAM_PORT, when set, is the port to listen on (to restart a server)
  KIND      slow        send the body at 16 bytes/s (slow loris)
            short       announce Content-Length, then send half and close
            long-length announce more bytes than are sent, keep-alive off
            500         answer 500
            delay=S     wait S seconds before answering
            rate=MB     send the body at MB MiB/s, in 256 KiB steps (a link
                        of that speed, for bench/fetch.sh)
"""
import base64
import gzip
import http.server
import os
import socket
import socketserver
import sys
import threading
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, a
        # kept-alive client waits for the delayed ACK (~40 ms) each time.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        with self.server.lock:
            with open(self.server.logfile, "a") as f:
                f.write("%s %s %d\n" % (self.command, self.path, status))

    def fault_for(self, path):
        for suffix, kind in self.server.faults:
            if path.endswith(suffix):
                return kind
        return None

    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?", 1)[0])
        if self.server.auth and self.headers.get("Authorization") != self.server.auth:
            self.send_plain(401, b"unauthorized\n")
            return
        fault = self.fault_for(path)
        if fault and fault.startswith("delay="):
            time.sleep(float(fault.split("=", 1)[1]))
            fault = None
        full = os.path.realpath(os.path.join(self.server.root, path.lstrip("/")))
        if not full.startswith(self.server.root + os.sep) or not os.path.isfile(full):
            self.send_plain(404, b"not found\n")
            return
        if fault == "500":
            self.send_plain(500, b"injected failure\n")
            return
        body = open(full, "rb").read()
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.server.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        if fault == "long-length":
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "slow":
            for i in range(0, len(body), 16):
                self.wfile.write(body[i:i + 16])
                self.wfile.flush()
                time.sleep(1)
        elif fault and fault.startswith("rate="):
            self.send_paced(body, float(fault.split("=", 1)[1]) * 1048576)
        elif fault == "short":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(body)

    def send_paced(self, body, rate):
        start = time.monotonic()
        for i in range(0, len(body), 262144):
            ahead = start + i / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            self.wfile.write(body[i:i + 262144])
        self.wfile.flush()

    def send_plain(self, status, body):
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    root, portfile, logfile = sys.argv[1:4]
    faults = []
    auth = None
    gz = False
    args = sys.argv[4:]
    while args:
        if args[0] == "--gzip":
            gz = True
            args = args[1:]
            continue
        if args[0] == "--auth" and len(args) >= 2:
            auth = "Basic " + base64.b64encode(args[1].encode()).decode()
        elif args[0] == "--fault" and len(args) >= 2:
            suffix, kind = args[1].split("=", 1)
            faults.append((suffix, kind))
        else:
            sys.exit(__doc__)
        args = args[2:]
    srv = Server(("127.0.0.1", int(os.environ.get("UPSTREAM_PORT", "0"))), Handler)
    srv.root = os.path.realpath(root)
    srv.logfile = logfile
    srv.faults = faults
    srv.auth = auth
    srv.gzip = gz
    srv.lock = threading.Lock()
    open(logfile, "a").close()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""slowrelay.py: a TCP relay that paces what clients send.

usage: slowrelay.py TARGET_PORT PORT_FILE BYTES_PER_SECOND COUNT_FILE
Listens on 127.0.0.1 (a free port, written to PORT_FILE) and relays each
connection to 127.0.0.1:TARGET_PORT, forwarding what the client sends at
BYTES_PER_SECOND and the answers at full speed.  COUNT_FILE holds the
bytes clients have sent so far, rewritten as they pass, so a test can act
while an upload is under way (stop the server behind, say).  When either
side closes or fails, both are closed.
"""
import os
import socket
import sys
import threading
import time

lock = threading.Lock()
sent = 0


def count(n, path):
    global sent
    with lock:
        sent += n
        with open(path + ".new", "w") as f:
            f.write("%d\n" % sent)
        # Atomic, so a reader never sees a half-written number.
        os.replace(path + ".new", path)


def pump(src, dst, rate, path):
    try:
        while True:
            chunk = src.recv(16384 if rate == 0 else max(1024, rate // 20))
            if not chunk:
                break
            dst.sendall(chunk)
            if rate:
                count(len(chunk), path)
                time.sleep(len(chunk) / rate)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, target, rate, path):
    try:
        up = socket.create_connection(("127.0.0.1", target))
    except OSError:
        conn.close()
        return
    threading.Thread(target=pump, args=(conn, up, rate, path),
                     daemon=True).start()
    pump(up, conn, 0, path)
    conn.close()
    up.close()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    target, port_file, rate, path = (int(sys.argv[1]), sys.argv[2],
                                     int(sys.argv[3]), sys.argv[4])
    count(0, path)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".new", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.replace(port_file + ".new", port_file)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, target, rate, path),
                         daemon=True).start()


if __name__ == "__main__":
    main()

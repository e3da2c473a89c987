#!/usr/bin/env python3
"""ptyrun.py: runs a command with its stderr (and, with --both, its stdout)
on a real pseudo-terminal, as a person at a terminal would.

usage: ptyrun.py [--both] TTY_OUT STDOUT_OUT -- COMMAND...

Everything the command writes to the terminal goes, byte for byte, to
TTY_OUT; without --both its stdout goes to the file STDOUT_OUT (not a
terminal).  Prints the run's wall time in milliseconds on stdout and exits
with the command's status.
"""
import errno
import os
import pty
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    both = args[0] == "--both"
    if both:
        args = args[1:]
    tty_out, stdout_out, sep, cmd = args[0], args[1], args[2], args[3:]
    if sep != "--" or not cmd:
        sys.exit(__doc__)
    master, slave = pty.openpty()
    with open(stdout_out, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=slave if both else out, stderr=slave)
        os.close(slave)
        got = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError as e:  # EIO: the last writer closed the terminal
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            got += chunk
        rc = proc.wait()
        ms = int((time.monotonic() - start) * 1000)
    os.close(master)
    with open(tty_out, "wb") as f:
        f.write(got)
    print(ms)
    sys.exit(rc)


if __name__ == "__main__":
    main()

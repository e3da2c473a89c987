#!/usr/bin/env python3
"""mkmodule.py: writes one module version into a static GOPROXY tree.

usage: mkmodule.py TREE MODULE VERSION [DATA_BYTES]
Creates TREE/<escaped module>/@v/VERSION.{info,mod,zip} and adds VERSION to
@v/list, and makes it upstream's @latest.  The zip holds go.mod ("module MODULE\\n") and, when DATA_BYTES is
given, data.bin of that many pseudo-random (incompressible, reproducible)
bytes, stored uncompressed.  Used to make versions "appear upstream" and
to make large versions for the concurrency and benchmark tests.
"""
import os
import random
import re
import sys
import zipfile


def escape(s):
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), s)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    tree, module, version = sys.argv[1:4]
    size = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    d = os.path.join(tree, escape(module), "@v")
    os.makedirs(d, exist_ok=True)
    ev = escape(version)
    gomod = ("module %s\n" % module).encode()
    with open(os.path.join(d, ev + ".mod"), "wb") as f:
        f.write(gomod)
    info = '{"Version":"%s","Time":"2024-01-02T03:04:05Z"}\n' % version
    with open(os.path.join(d, ev + ".info"), "w") as f:
        f.write(info)
    # The newest tag is what upstream's @latest names.
    with open(os.path.join(tree, escape(module), "@latest"), "w") as f:
        f.write(info)
    prefix = "%s@%s/" % (module, version)
    with zipfile.ZipFile(os.path.join(d, ev + ".zip"), "w") as z:
        z.writestr(zipfile.ZipInfo(prefix + "go.mod"), gomod, zipfile.ZIP_DEFLATED)
        if size:
            data = random.Random(1).randbytes(size)
            z.writestr(zipfile.ZipInfo(prefix + "data.bin"), data, zipfile.ZIP_STORED)
    with open(os.path.join(d, "list"), "a") as f:
        f.write(version + "\n")


if __name__ == "__main__":
    main()

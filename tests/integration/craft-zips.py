#!/usr/bin/env python3
"""craft-zips.py: hostile module versions for hostile-upstream.sh.

usage: craft-zips.py ROOT

Writes, under the GOPROXY tree ROOT, one module version per case:
example.com/hostile/<case>/@v/v1.0.0.{info,mod,zip}.  The .info and .mod
are valid unless the case is about them; the .zip breaks one rule of
spec/module-zip.md.  Zips are written byte by byte (not with zipfile),
because most of the malformed forms (local header disagreeing with the
central directory, a lying declared size, a wrong CRC, symlink modes,
duplicate names) are ones a zip library will not produce.
"""
import json
import os
import struct
import sys
import zlib

VERSION = "v1.0.0"
BASE = "example.com/hostile/"
MIB = 1 << 20


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Entry:
    """One zip entry; the l* fields make the local header lie."""

    def __init__(self, name, data=b"", method=8, **kw):
        self.name = name.encode("utf-8") if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.payload = kw.get("payload")        # raw compressed bytes
        self.usize = kw.get("usize")            # declared uncompressed size
        self.crc = kw.get("crc")
        self.flags = kw.get("flags", 0)
        self.mode = kw.get("mode")              # Unix mode -> external attrs
        self.lname = kw.get("lname")
        self.lusize = kw.get("lusize")
        self.lcrc = kw.get("lcrc")
        self.lmethod = kw.get("lmethod")
        self.desc_crc = kw.get("desc_crc")     # a data descriptor's CRC

    def fields(self):
        if self.payload is not None:
            comp = self.payload
        elif self.method == 8:
            comp = deflate(self.data)
        else:
            comp = self.data
        crc = self.crc if self.crc is not None else zlib.crc32(self.data)
        usize = self.usize if self.usize is not None else len(self.data)
        return comp, crc & 0xFFFFFFFF, usize


def local_header(e, comp, crc, usize):
    name = e.lname if e.lname is not None else e.name
    if isinstance(name, str):
        name = name.encode("utf-8")
    method = e.lmethod if e.lmethod is not None else e.method
    lcrc = e.lcrc if e.lcrc is not None else crc
    lusize = e.lusize if e.lusize is not None else usize
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, e.flags, method, 0,
                       0, lcrc, len(comp), lusize, len(name), 0) + name


def central_header(e, comp, crc, usize, offset):
    made_by = (3 << 8) | 20 if e.mode is not None else 20   # 3 = Unix
    ext = (e.mode << 16) if e.mode is not None else 0
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made_by, 20,
                       e.flags, e.method, 0, 0, crc, len(comp), usize,
                       len(e.name), 0, 0, 0, 0, ext, offset) + e.name


def end_records(n, cd_off, cd_size):
    if n <= 0xFFFF:
        return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size,
                           cd_off, 0)
    # ZIP64 end record and locator: more entries than 16 bits count.
    z64_off = cd_off + cd_size
    rec = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n,
                      cd_size, cd_off)
    loc = struct.pack("<IIQI", 0x07064B50, 0, z64_off, 1)
    return rec + loc + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF,
                                   0xFFFF, cd_size, cd_off, 0)


def build_zip(path, entries):
    out = bytearray()
    central = bytearray()
    for e in entries:
        comp, crc, usize = e.fields()
        offset = len(out)
        out += local_header(e, comp, crc, usize) + comp
        if e.desc_crc is not None:
            out += struct.pack("<IIII", 0x08074B50, e.desc_crc, len(comp),
                               usize)
        central += central_header(e, comp, crc, usize, offset)
    cd_off = len(out)
    out += central + end_records(len(entries), cd_off, len(central))
    with open(path, "wb") as f:
        f.write(out)


def gomod(module):
    return ("module %s\n\ngo 1.13\n" % module).encode()


def case(root, name, entries, mod=None, info=None, zipbytes=None):
    """Writes module BASE+name: valid .info/.mod unless given."""
    module = BASE + name
    d = os.path.join(root, module, "@v")
    os.makedirs(d, exist_ok=True)
    if info is None:
        info = json.dumps({"Version": VERSION,
                           "Time": "2024-01-02T03:04:05Z"}).encode()
    with open(os.path.join(d, VERSION + ".info"), "wb") as f:
        f.write(info)
    with open(os.path.join(d, VERSION + ".mod"), "wb") as f:
        f.write(mod if mod is not None else gomod(module))
    zpath = os.path.join(d, VERSION + ".zip")
    if zipbytes is not None:
        with open(zpath, "wb") as f:
            f.write(zipbytes)
    else:
        build_zip(zpath, entries(module, module + "@" + VERSION + "/"))


def ok_files(m, p, extra=()):
    """The go.mod the .mod promises, one source file, then extra."""
    return [Entry(p + "go.mod", gomod(m)),
            Entry(p + "x.go", b"package x\n")] + list(extra)


# Cases that add "package x" files with these names to a valid zip;
# %p is the prefix "<module>@v1.0.0/", %m the module path.
NAMED = [
    # MZ-1.3: every entry starts with the prefix, byte-exact.
    ("prefix", ["%m@v1.0.1/y.go"]),
    ("noslash", ["%m@" + VERSION]),
    ("absolute", ["/etc/hostile-abs.go"]),
    # MZ-3.1 / MZ-3.2: names that are clean, relative, valid file paths.
    ("dotdot", ["%pa/../../escape.go"]),
    ("dotdotlead", ["%p../../../../escape.go"]),
    ("slashabs", ["%p/abs.go"]),
    ("badchar", ["%pbad.go'"]),
    # MZ-3.3: case-fold collisions, duplicates, file and directory.
    ("casefold", ["%pm.go", "%pM.GO"]),
    ("kelvin", ["%pk.go", "%p\u212a.go"]),
    ("dup", ["%pdup.go", "%pdup.go"]),
    ("filedir", ["%pa.go", "%pa.go/b.go"]),
    # MZ-3.4: go.mod only at the root.
    ("nested", ["%psub/go.mod"]),
]


def named_entries(names):
    return lambda m, p: ok_files(m, p, [
        Entry(n.replace("%p", p).replace("%m", m), b"package x\n")
        for n in names])


def zip_cases(root):
    for name, names in NAMED:
        case(root, name, named_entries(names))
    # MZ-3.4: the root go.mod spelled GO.MOD (so .mod is synthesized).
    case(root, "upper", lambda m, p: [
        Entry(p + "GO.MOD", gomod(m))],
        mod=("module %s\n" % (BASE + "upper")).encode())
    # MZ-4.3: symlinks and other non-regular entries.
    case(root, "symlink", lambda m, p: ok_files(m, p, [
        Entry(p + "link.go", b"../../../../etc/passwd", method=0,
              mode=0o120777)]))
    case(root, "fifo", lambda m, p: ok_files(m, p, [
        Entry(p + "fifo.go", b"", method=0, mode=0o010644)]))
    case(root, "chardev", lambda m, p: ok_files(m, p, [
        Entry(p + "null.go", b"", method=0, mode=0o020644)]))
    # MZ-4.1: the local header disagrees with the central directory.
    case(root, "lcname", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", lname=p + "../../evil.go")]))
    # The reverse: Go reads the central name (invalid), the local is fine.
    case(root, "lcname2", lambda m, p: ok_files(m, p, [
        Entry(p + "bad.go'", b"package x\n", lname=p + "y.go")]))
    case(root, "lcsize", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", lusize=4096)]))
    case(root, "lccrc", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", lcrc=0x12345678)]))
    case(root, "lcmethod", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", lmethod=0)]))
    # MZ-2.4: the data descriptor's CRC is not the central one (the data
    # and the central CRC agree; the go command checks the descriptor too).
    case(root, "desccrc", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", flags=8, desc_crc=0x12345678)]))
    case(root, "notzip", None, zipbytes=b"this is not a zip archive\n" * 4)
    # MZ-4.2: compression methods Go cannot read, encryption.
    case(root, "bzip2", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", method=12,
              payload=b"BZh91AY&SY" + b"\0" * 32)]))
    case(root, "encrypted", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", method=0, flags=1)]))


def size_cases(root):
    # MZ-2.4: declared 64 bytes, inflates to 64 MiB (a zip bomb).
    zeros = b"\0" * (64 * MIB)
    case(root, "bomb", lambda m, p: ok_files(m, p, [
        Entry(p + "bomb.go", payload=deflate(zeros), usize=64,
              crc=zlib.crc32(zeros))]))
    # MZ-2.4: data and CRC disagree.
    case(root, "crc", lambda m, p: ok_files(m, p, [
        Entry(p + "y.go", b"package x\n", crc=0xDEADBEEF)]))
    # MZ-2.2: declared total over 500 MiB (checked before any data).
    case(root, "declared", lambda m, p: ok_files(m, p, [
        Entry(p + "a.bin", b"a", usize=600 * MIB)]))
    # MZ-2.3: root LICENSE over 16 MiB (compresses to a few KiB).
    big = b"L" * (16 * MIB + 1)
    case(root, "license", lambda m, p: ok_files(m, p, [
        Entry(p + "LICENSE", big)]))
    # modvault's bound (mv_zip_limits_default max_files = 100000): 100001
    # entries, ZIP64 end records.
    case(root, "toomany", lambda m, p: [Entry(p + "go.mod", gomod(m))] + [
        Entry(p + "f%06d.go" % i, b"", method=0) for i in range(100000)])
    # MZ-2.1 against max_zip_bytes: ~64 KiB of incompressible data.
    case(root, "oversize", lambda m, p: ok_files(m, p, [
        Entry(p + "rand.bin", os.urandom(64 * 1024), method=0)]))


def meta_cases(root):
    # MZ-9.2: .mod differs from the zip's go.mod.
    case(root, "modmismatch", lambda m, p: ok_files(m, p),
         mod=b"module example.com/hostile/modmismatch\n\ngo 1.21\n")
    # MZ-9.1: no go.mod in the zip and .mod is not "module <path>\n".
    case(root, "synth", lambda m, p: [Entry(p + "x.go", b"package x\n")],
         mod=b"module example.com/other\n")
    # GP-11.1: .mod and go.mod agree, but name another module.
    other = gomod("example.com/other")
    case(root, "modpath", lambda m, p: [Entry(p + "go.mod", other),
                                        Entry(p + "x.go", b"package x\n")],
         mod=other)
    # GP-11.1.1: .info names another version / is not JSON.
    case(root, "infoversion", lambda m, p: ok_files(m, p),
         info=b'{"Version":"v1.0.1","Time":"2024-01-02T03:04:05Z"}')
    case(root, "infojunk", lambda m, p: ok_files(m, p),
         info=b"<html>not json</html>\n")
    # Valid versions, served through a faulty transport (see the script).
    for name in ("short", "longlength", "slow", "delay", "status500",
                 "valid"):
        case(root, name, lambda m, p: ok_files(m, p))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    zip_cases(root)
    size_cases(root)
    meta_cases(root)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# fuzz_zip_seeds.py: regenerates the seed zips in corpus/fuzz_zip/ (stdlib
# only, fixed timestamps, so the output is byte-for-byte reproducible).
# Run from tests/fuzz: python3 fuzz_zip_seeds.py
import base64
import os
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus", "fuzz_zip")
P = "example.com/m@v1.0.0/"
T = (1980, 1, 1, 0, 0, 0)

# TV-MZ-11 of module-zip.md: the zip the go command builds.
TV_MZ_11 = (
    "UEsDBBQACAAIAAAAAAAAAAAAAAAAAAAAAAAbAAAAZXhhbXBsZS5jb20vbUB2MS4wLjAvZ28ubW9k"
    "ys1PKc1JVUitSMwtyEnVS87P1c/lAgQAAP//UEsHCLBxQY8bAAAAFQAAAFBLAwQUAAgACAAAAAAA"
    "AAAAAAAAAAAAAAAAGQAAAGV4YW1wbGUuY29tL21AdjEuMC4wL20uZ28qSEzOTkxPVcjlAgQAAP//"
    "UEsHCMkNh2UQAAAACgAAAFBLAQIUABQACAAIAAAAAACwcUGPGwAAABUAAAAbAAAAAAAAAAAAAAAA"
    "AAAAAABleGFtcGxlLmNvbS9tQHYxLjAuMC9nby5tb2RQSwECFAAUAAgACAAAAAAAyQ2HZRAAAAAK"
    "AAAAGQAAAAAAAAAAAAAAAABkAAAAZXhhbXBsZS5jb20vbUB2MS4wLjAvbS5nb1BLBQYAAAAAAgAC"
    "AJAAAAC7AAAAAAA=")


def write(name, entries, method):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", method) as z:
        for path, data in entries:
            z.writestr(zipfile.ZipInfo(path, T), data)


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "tv-mz-11.zip"), "wb") as f:
        f.write(base64.b64decode(TV_MZ_11))
    write("stored-dir.zip", [(P + "go.mod", "module example.com/m\n"),
                             (P + "sub/", ""),
                             (P + "sub/a.go", "package sub\n")],
          zipfile.ZIP_STORED)
    write("utf8-names.zip", [(P + "\u00e9t\u00e9/a.go", "package a\n"),
                             (P + "LICENSE", "license\n")],
          zipfile.ZIP_DEFLATED)
    write("collision.zip", [(P + "m.go", "package m\n"),
                            (P + "M.GO", "package m\n")],
          zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    main()

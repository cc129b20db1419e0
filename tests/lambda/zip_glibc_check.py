"""Fails when an ELF file in a Lambda zip needs a glibc newer than the runtime's, or a
shared library that the runtime image does not have and the zip does not carry.

usage: zip_glibc_check.py READELF MAX_GLIBC ZIP
"""
import re
import subprocess
import sys
import tempfile
import zipfile

# What provided.al2023 (glibc 2.34) has in /lib64 that a zip may rely on; libstdc++.so.6
# and libgcc_s.so.1 are GCC 11's there, older than the build machine's.
SYSTEM = re.compile(r"^(libc|libm|libdl|libpthread|librt|libresolv|libutil|ld-linux-x86-64)\.so")


def version_tuple(text):
    return tuple(int(p) for p in text.split("."))


def main():
    readelf, max_glibc, zip_path = sys.argv[1], version_tuple(sys.argv[2]), sys.argv[3]
    problems = []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        carried = {n.split("/")[-1] for n in names}
        z.extractall(tmp)
        elf_count = 0
        for name in names:
            if name.endswith("/"):
                continue
            path = f"{tmp}/{name}"
            with open(path, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            elf_count += 1
            out = subprocess.run([readelf, "-W", "--dynamic", "--version-info", path],
                                 capture_output=True, text=True, check=True).stdout
            for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
                if not SYSTEM.match(lib) and lib not in carried:
                    problems.append(f"{name} needs {lib}, which the zip does not carry")
            for ver in set(re.findall(r"Name: GLIBC_([0-9.]+)", out)):
                if version_tuple(ver) > max_glibc:
                    problems.append(f"{name} needs GLIBC_{ver} (the runtime has {sys.argv[2]})")
        if elf_count == 0:
            problems.append("no ELF file in the zip")
    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"{zip_path}: {elf_count} ELF files, none needs more than GLIBC_{sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

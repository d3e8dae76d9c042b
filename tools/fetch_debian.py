"""Fetch Debian data packages into .data/debian without root: `apt-get download`, then unpack the .deb.

    python3 tools/fetch_debian.py trans-de-en dataset-fashion-mnist   # what `make data` runs
    python3 tools/fetch_debian.py --check trans-de-en                 # exit 1 unless all are present

Some of the book's optional data (Fashion-MNIST, the Ding German-English dictionary, the speech
synthesizers of chapter 6.3) exists only as Debian packages. Installing them needs root; reading
them does not: `apt-get download` fetches a package as an ordinary user and checks its hash against
the signed package index (apt refuses a file whose SHA-256 differs), and a .deb is an `ar` archive
whose `data.tar.xz` holds the files. They are unpacked under .data/debian/root, mirroring the
paths a system install would use (/usr/share/trans/de-en -> .data/debian/root/usr/share/trans/de-en).

A package already installed system-wide is skipped. On a system without apt-get (macOS, Windows,
Fedora, ...) nothing is fetched and the script says which chapters' cells will report missing data.
Standard library only.
"""

from __future__ import annotations

import argparse
import io
import lzma
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEST = ROOT / ".data" / "debian"


def installed(package: str) -> bool:
    """True when dpkg lists the package as installed system-wide."""
    if shutil.which("dpkg-query") is None:
        return False
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.endswith("installed")


def present(package: str, dest: pathlib.Path = DEST) -> bool:
    """Installed system-wide or unpacked under dest by an earlier fetch."""
    return installed(package) or (dest / "packages" / f"{package}.deb-unpacked").exists()


def ar_members(deb: bytes) -> dict[str, bytes]:
    """The members of an `ar` archive (the .deb container): name -> bytes."""
    if not deb.startswith(b"!<arch>\n"):
        raise ValueError("not a Debian package: the file does not start with the ar magic '!<arch>'")
    members, pos = {}, 8
    while pos + 60 <= len(deb):
        header = deb[pos:pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        members[name] = deb[pos + 60:pos + 60 + size]
        pos += 60 + size + (size % 2)  # members are 2-byte aligned
    return members


def unpack(deb_path: pathlib.Path, root: pathlib.Path) -> int:
    """Unpack the data of a .deb under root; returns the number of files written."""
    members = ar_members(deb_path.read_bytes())
    data = [name for name in members if name.startswith("data.tar")]
    if data != ["data.tar.xz"]:
        raise ValueError(f"{deb_path.name}: expected one data.tar.xz member, found {sorted(members)}")
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(members["data.tar.xz"]))) as tar:
        files = [m for m in tar.getmembers() if m.isfile() or m.issym() or m.isdir()]
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse paths that leave root
            tar.extractall(root, members=files, filter="data")
        else:
            tar.extractall(root, members=files)
    return sum(m.isfile() for m in files)


def fetch(package: str, dest: pathlib.Path = DEST) -> str:
    """Download and unpack one package unless present; returns what was done, in words."""
    stamp = dest / "packages" / f"{package}.deb-unpacked"
    if installed(package):
        return f"{package}: installed system-wide"
    if present(package, dest):
        return f"{package}: already in {dest.relative_to(ROOT)}"
    if shutil.which("apt-get") is None:
        raise LookupError(f"{package}: no apt-get on this system (the package exists only for Debian/Ubuntu)")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["apt-get", "download", "-q", package], cwd=tmp, capture_output=True, text=True)
        debs = list(pathlib.Path(tmp).glob(f"{package}_*.deb"))
        if done.returncode != 0 or len(debs) != 1:
            raise LookupError(f"{package}: `apt-get download {package}` failed ({done.stderr.strip()[-300:]}); "
                              "if apt says it cannot locate the package, the package index is empty: "
                              "run `sudo apt-get update` once, then `make data`")
        count = unpack(debs[0], dest / "root")
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(debs[0].name + "\n")
    return f"{package}: {debs[0].name}, {count} files unpacked into {dest.relative_to(ROOT)}/root"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if any package is missing")
    parser.add_argument("--required", action="store_true", help="exit 1 if a package cannot be fetched (CI)")
    args = parser.parse_args(argv)
    missing = []
    for package in args.packages:
        if args.check:
            if not present(package):
                missing.append(package)
            continue
        try:
            print("fetch_debian:", fetch(package))
        except LookupError as error:
            missing.append(package)
            print(f"fetch_debian: {error}", file=sys.stderr)
    if missing:
        print(f"fetch_debian: missing {' '.join(missing)}; the cells that read them say so and continue "
              "(README, Requirements)", file=sys.stderr)
    return 1 if missing and (args.check or args.required) else 0


if __name__ == "__main__":
    sys.exit(main())

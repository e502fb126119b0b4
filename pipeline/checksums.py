"""SHA-256 manifests (the format `sha256sum -c` reads): what publications, releases and cache
segments were when written, so that a file changed since is recognised."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MANIFEST = "SHA256SUMS"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path, names: list[str], manifest: str = MANIFEST) -> None:
    """The SHA-256 of each of `names` (paths relative to `folder`), written and fsynced."""
    with open(Path(folder) / manifest, "w", encoding="utf-8") as fh:
        fh.write("".join(f"{file_sha256(Path(folder) / name)}  {name}\n" for name in names))
        fh.flush()
        os.fsync(fh.fileno())


def altered(folder: Path, names: list[str] | None = None, manifest: str = MANIFEST) -> list[str]:
    """Files (`names`, or all the manifest lists) that are not byte for byte what it says; every one
    of them when there is no readable manifest."""
    try:
        lines = (Path(folder) / manifest).read_text(encoding="utf-8").splitlines()
        listed = {name: digest for digest, _, name in (line.partition("  ") for line in lines)}
    except (FileNotFoundError, UnicodeDecodeError):
        return list(names or [manifest])
    out = []
    for name in names if names is not None else list(listed):
        path = Path(folder) / name
        if name not in listed or not path.is_file() or file_sha256(path) != listed[name]:
            out.append(name)
    return out

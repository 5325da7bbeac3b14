"""Zip the installed `sparkforge_runtime` package for `spark-submit --py-files`, deterministically.

Input: the runtime package as installed next to the compiler. Output: `sparkforge_runtime.zip`, with
sorted entries, fixed timestamps and permissions, so the same runtime always gives the same bytes.

    write_runtime_zip(Path("dist/sparkforge_runtime.zip"))
    -> dist/sparkforge_runtime.zip: sparkforge_runtime/__init__.py, sparkforge_runtime/engine.py, ...
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "sparkforge_runtime"
ZIP_NAME = f"{PACKAGE}.zip"
# The earliest time a zip entry can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16


def _files(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in folder.iterdir():
        name = f"{prefix}/{entry.name}"
        if entry.is_dir() and entry.name != "__pycache__":
            yield from _files(entry, name)
        elif entry.is_file() and (entry.name.endswith(".py") or entry.name == "py.typed"):
            yield name, entry


def runtime_zip_bytes() -> bytes:
    """The zip's bytes: every module of the runtime package, in sorted order."""
    buffer = io.BytesIO()
    entries = sorted(_files(resources.files(PACKAGE), PACKAGE), key=lambda item: item[0])
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, entry in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def write_runtime_zip(path: Path) -> Path:
    """Write the zip to `path` (a file, or a folder to put `sparkforge_runtime.zip` in)."""
    target = path / ZIP_NAME if path.is_dir() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(runtime_zip_bytes())
    return target

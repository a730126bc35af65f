"""Write a build into a staging folder beside the output folder and swap it in atomically.

A failed or killed build never touches the previous output: the staging folder is only renamed into place
once it is complete, and the next build removes any leftovers of an interrupted one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
from pathlib import Path

STAGING_MARK = ".staging-"
OLD_MARK = ".old-"
_RENAME_EXCHANGE = 2


class UnsafeOutputPath(ValueError):
    """A path that would land outside the output folder."""


def safe_name(relative: str) -> str:
    """relative itself, if it is a plain relative path: no absolute paths, '..', empty parts or
    backslashes, so nothing can climb out of the output folder by name. (The output folder is written
    by kb alone, so it holds no symlinks to follow.)"""
    parts = relative.split("/")
    if not relative or "\\" in relative or "\0" in relative or any(p in ("", ".", "..") for p in parts):
        raise UnsafeOutputPath(relative)
    return relative


def safe_join(root: Path, relative: str) -> Path:
    return root.joinpath(safe_name(relative))


def clean_leftovers(out_dir: Path) -> None:
    """Remove staging folders of interrupted builds; restore the output if a swap was cut short."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    prefix = f".{out_dir.name}"
    for entry in sorted(parent.iterdir()):
        if not entry.name.startswith(prefix):
            continue
        rest = entry.name[len(prefix) :]
        if rest.startswith(OLD_MARK) and not out_dir.exists():
            entry.rename(out_dir)
        elif rest.startswith((STAGING_MARK, OLD_MARK)):
            shutil.rmtree(entry, ignore_errors=True)


def staging_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}{STAGING_MARK}{os.getpid()}"


def replace_file(path: Path, data: bytes) -> bool:
    """Write data to path atomically (a temporary file renamed over it); False when it already holds data.

    Never writes into an existing file in place, so a hard link shared with an older output is safe."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.kb-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make staging the output folder in one step where the OS allows it, then drop the old output."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    old = out_dir.parent / f".{out_dir.name}{OLD_MARK}{os.getpid()}"
    if _exchange(staging, out_dir):
        staging.rename(old)  # staging now holds the previous output
    else:
        out_dir.rename(old)
        staging.rename(out_dir)
    discard(old)


def discard(folder: Path) -> None:
    """Delete a folder without waiting for it: a detached rm where there is one (removing a large old
    output takes seconds the build need not spend), else here. clean_leftovers catches any remains."""
    shell = shutil.which("sh")
    if shell is not None and os.name == "posix":
        # sh starts rm in the background and exits at once: rm outlives us and leaves no zombie
        command = [shell, "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(folder)]
        if subprocess.run(command, check=False, stdin=subprocess.DEVNULL).returncode == 0:
            return
    shutil.rmtree(folder, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically. False where unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(name, use_errno=True)
        at_fdcwd = -100
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
        return bool(result == 0)
    return False

"""Write a build into a staging folder beside the output folder and swap it in atomically.

A failed or killed build never touches the previous output: the staging folder is only renamed into place
once it is complete, and the next build removes any leftovers of an interrupted one.

kb replaces only what it wrote: every output folder carries a stamp file, an existing output without it is
refused (unless forced), and kb's temporary folders carry a random token and the stamp, so a user's folder
with a similar name is never taken for one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import filecmp
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

STAGING_MARK = ".staging-"
OLD_MARK = ".old-"
STAMP_FILE = ".kb-output"
STAMP_TEXT = (
    b"This folder is a site written by kb build, which replaces all of it on every build.\n"
    b"Remove this file and kb will no longer replace the folder without --force.\n"
)
_TOKEN_HEX = 24
# the folders and files of a site that no output may be, hold or lie in
SOURCES = ("content", "themes", "static", "site.yml", ".git", ".kb-cache")
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


def stamp(folder: Path) -> None:
    """Mark folder as kb's output (the same bytes every time: builds stay byte-identical)."""
    (folder / STAMP_FILE).write_bytes(STAMP_TEXT)


def is_stamped(folder: Path) -> bool:
    marker = folder / STAMP_FILE
    return folder.is_dir() and not folder.is_symlink() and marker.is_file() and not marker.is_symlink()


def temporary_dir(out_dir: Path, mark: str) -> Path:
    """A name beside out_dir for kb's staging (STAGING_MARK) or previous (OLD_MARK) output."""
    return out_dir.parent / f".{out_dir.name}{mark}{secrets.token_hex(_TOKEN_HEX // 2)}"


def _leftover_kind(out_dir: Path, entry: Path) -> str | None:
    """STAGING_MARK or OLD_MARK for a temporary folder of kb's (its name and its stamp), else None."""
    marks = f"{re.escape(STAGING_MARK)}|{re.escape(OLD_MARK)}"
    pattern = rf"\.{re.escape(out_dir.name)}({marks})[0-9a-f]{{{_TOKEN_HEX}}}"
    found = re.fullmatch(pattern, entry.name)
    if found is None or not is_stamped(entry):
        return None
    return found.group(1)


def clean_leftovers(out_dir: Path) -> None:
    """Remove staging folders of interrupted builds; restore the output if a swap was cut short.
    Only kb's own temporary folders are touched: a user's `.public.old-backup` is left alone."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        kind = _leftover_kind(out_dir, entry)
        if kind == OLD_MARK and not os.path.lexists(out_dir):
            entry.rename(out_dir)
        elif kind is not None:
            shutil.rmtree(entry, ignore_errors=True)


def staging_dir(out_dir: Path) -> Path:
    """A new, stamped staging folder beside out_dir."""
    staging = temporary_dir(out_dir, STAGING_MARK)
    staging.mkdir(parents=True)
    stamp(staging)
    return staging


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


def write_stream(path: Path, pieces: Iterable[bytes], in_place: bool) -> tuple[int, bool]:
    """Write the pieces to path as they come (through a temporary file renamed over it); its size, and
    whether it changed (in place, a file that already held the same bytes is left alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.kb-tmp")
    size = 0
    with temporary.open("wb") as handle:
        for piece in pieces:
            handle.write(piece)
            size += len(piece)
    if in_place and path.is_file() and filecmp.cmp(temporary, path, shallow=False):
        temporary.unlink()
        return size, False
    os.replace(temporary, path)
    return size, True


def apply_overlay(overlay: Path, out_dir: Path, names: Iterable[str]) -> None:
    """Move the files written into an overlay over their versions in out_dir, each in one step: a
    page is old or new, never half written. Called once every file of the build is in the overlay."""
    for name in names:
        destination = safe_join(out_dir, name)
        try:
            os.replace(safe_join(overlay, name), destination)
        except FileNotFoundError:  # its folder is gone from the output
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(safe_join(overlay, name), destination)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make staging the output folder in one step where the OS allows it, then drop the old output."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(out_dir):
        staging.rename(out_dir)
        return
    old = temporary_dir(out_dir, OLD_MARK)
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


def protected_reason(site_dir: Path, out_dir: Path) -> str | None:
    """Why out_dir may never be an output folder, even with --force; None when it may. Compared on real
    paths, so symlinks and '..' change nothing: the site, a folder above it or above the home folder, '/',
    any source of the site or anything inside one."""
    out = Path(os.path.realpath(out_dir))
    site = Path(os.path.realpath(site_dir))
    if out == Path(out.anchor):
        return "is the root folder"
    if site == out:
        return "is the site folder itself"
    if site.is_relative_to(out):
        return "holds the site folder"
    home = Path(os.path.realpath(Path.home()))
    if home.is_relative_to(out):
        return "is your home folder" if home == out else "holds your home folder"
    for name in SOURCES:
        for source in {Path(os.path.realpath(site_dir / name)), site / name}:
            if out == source:
                return f"is the site's {name}"
            if out.is_relative_to(source):
                return f"is inside the site's {name}"
    return None


def foreign_reason(out_dir: Path) -> str | None:
    """Why replacing out_dir could lose someone's files (refused unless --force); None when it is absent,
    an empty folder or a folder kb wrote (it has kb's stamp)."""
    if not os.path.lexists(out_dir):
        return None
    if out_dir.is_symlink():
        return "is a symbolic link, not a folder kb wrote"
    if not out_dir.is_dir():
        return "is a file, not a folder"
    if is_stamped(out_dir):
        return None
    try:
        with os.scandir(out_dir) as entries:
            if next(entries, None) is None:
                return None
    except OSError as exc:
        return f"is a folder kb cannot read ({exc.strerror})"
    return f"is a folder kb did not write (it has no {STAMP_FILE} stamp)"


def refusal(site_dir: Path, out_dir: Path, *, force: bool = False) -> str | None:
    """Why kb must not build into out_dir, as a sentence ending the path; None when it may."""
    reason = protected_reason(site_dir, out_dir)
    if reason is not None:
        return f"{reason}; kb never replaces it"
    reason = None if force else foreign_reason(out_dir)
    if reason is not None:
        return f"{reason}; kb replaces only its own output (or an empty folder): pass --force to replace it"
    return None

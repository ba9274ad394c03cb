"""Files and folders only their owner can read: the service holds people's data, and the
machine has other users.

The CLI sets ``PRIVATE_UMASK`` at start-up; the helpers here set the modes explicitly as
well, because library code and tests write the same files without the CLI.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
OTHERS = 0o077  # the group's and everyone else's bits


def private_dir(path: Path) -> Path:
    """``mkdir -p`` whose every folder it creates is 0700 (folders already there are left as they are)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(folder, DIR_MODE)  # os.mkdir's mode is only ever cut by the umask; this says it outright
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))
    return path


def private_open(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing, the file 0600 even when it was there before with another mode."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if os.fstat(fd).st_mode & OTHERS:
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def private_write(path: Path, data: str | bytes) -> None:
    """``Path.write_text``/``write_bytes``, the file 0600."""
    if isinstance(data, str):
        with private_open(path, "w", encoding="utf-8") as fh:
            fh.write(data)
    else:
        with private_open(path, "wb") as fh:
            fh.write(data)


def make_private(path: Path) -> None:
    """Take the group's and others' bits off one existing file or folder."""
    mode = path.lstat().st_mode
    if mode & OTHERS:
        os.chmod(path, stat.S_IMODE(mode) & ~OTHERS)


def tighten_tree(root: Path) -> list[Path]:
    """Every file and folder under ``root`` (itself included) that the group or others could
    read, write or enter, made private; the paths changed. Symbolic links are not followed.
    Raises PermissionError (naming the path) for one the caller may not change."""
    changed: list[Path] = []
    if not root.is_dir():
        return changed

    def tighten(path: Path) -> None:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) or not mode & OTHERS:
            return
        os.chmod(path, stat.S_IMODE(mode) & ~OTHERS)
        changed.append(path)

    tighten(root)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            tighten(Path(folder) / name)
    return changed

"""The generations of an index on disk, as a build leaves them (under the store's lock):
the new one made current by swapping `current` (a symbolic link, or a file holding the name
where the file system has no links), the one before kept for readers still loading it, the
rest removed, and what a killed build left cleared away."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from retrieval.corpus import fsync_path
from retrieval.folder import CURRENT


def clean_leftovers(root: Path) -> None:
    """What a build killed on the way left: its staging folder, its spilled token states, a
    link it made and did not swap in."""
    for path in root.glob(".building-*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    for link in root.glob(f".{CURRENT}-*"):
        if link.is_symlink() or link.is_file():
            link.unlink(missing_ok=True)


def publish(root: Path, name: str) -> None:
    """Make the generation `name` (written and on disk) current, atomically: a symbolic link
    to it renamed onto `current`, or, on a file system without symbolic links (FAT, some
    network shares), a file holding its name (IndexStore.generation reads either)."""
    link = root / f".{CURRENT}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    try:
        os.symlink(name, link)
    except OSError:
        with link.open("w", encoding="utf-8") as pointer:
            pointer.write(f"{name}\n")
            pointer.flush()
            os.fsync(pointer.fileno())
    unfold_current(root)
    os.replace(link, root / CURRENT)
    fsync_path(root)


def unfold_current(root: Path) -> None:
    """An index copied by a tool that follows links has `current` as a folder of its own
    (IndexStore.generation), which no link can replace: it becomes a generation, named after
    the new one so that pruning keeps it as the one before, and the new link takes its
    place. Between the two renames a reader finds no index and waits for the build's lock."""
    current = root / CURRENT
    if current.is_symlink() or not current.is_dir():
        return
    os.rename(current, root / f"gen-{time.time_ns()}")


def prune(root: Path, keep: set[str]) -> None:
    """Remove the generations but `keep` and the newest other one (for readers still
    loading it)."""
    generations = sorted(p for p in root.glob("gen-*") if p.name not in keep)
    for old in generations[:-1]:
        shutil.rmtree(old, ignore_errors=True)

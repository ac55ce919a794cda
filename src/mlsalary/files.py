"""Writing files the same way everywhere: into a `.part` file beside the target, renamed into place only when
complete; any failure removes the partial file, and an OS error becomes one line with its real cause (no space left
on the device, permission denied) and the path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlsalary.errors import MlsalaryError


class WriteError(MlsalaryError):
    """A file could not be written (the message names the path and the cause)."""


@contextmanager
def atomic(path: Path, suffix: str = "") -> Iterator[Path]:
    """Yield the temporary path to write; on success it replaces `path`, on any failure it is removed.
    `suffix` is kept at the end of the temporary name (numpy's savez adds .npz to a name without it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(f"cannot create the folder {path.parent}: {e.strerror}") from e
    tmp = path.with_name(path.name + ".part" + suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise WriteError(f"cannot write {path}: {e.strerror or e}") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """`text` into `path`, atomically (see atomic)."""
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")

"""Writing files the same way everywhere: into a `.part` file beside the target, renamed into place only when
complete; any failure removes the partial file, and an OS error becomes one line with its real cause (no space left
on the device, permission denied) and the path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from mlsalary.errors import InputError, MlsalaryError


def os_cause(e: OSError, path: Path, then: str = "try again") -> str:
    """An OS error met writing `path`, as its real cause in words: a full disk is named as one, with the fix (free
    some space, and `then`)."""
    import errno

    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device holding {path}: free some space and {then}"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: {e.strerror}; check the folder's permissions"
    return f"cannot write {path}: {e.strerror or e}"


class WriteError(MlsalaryError):
    """A file could not be written (the message names the path and the cause)."""


@contextmanager
def atomic(path: Path, suffix: str = "") -> Iterator[Path]:
    """Yield the temporary path to write; on success it replaces `path`, on any failure it is removed.
    `suffix` is kept at the end of the temporary name (numpy's savez adds .npz to a name without it)."""
    import stat

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(f"cannot create the folder {path.parent}: {e.strerror}") from e
    with suppress(FileNotFoundError):  # renaming over a device, a FIFO or a folder would replace it (as root)
        if not stat.S_ISREG(path.stat().st_mode):
            raise WriteError(f"cannot write {path}: it is not a regular file (a device, a pipe or a folder); give the "
                             "path of a file to write")  # fmt: skip
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


def check_regular(path: Path, limit: int, what: str, error: type[MlsalaryError] = InputError,
                  noun: str = "file") -> int:  # fmt: skip
    """The size of `path`, after making sure it is a regular file (not a FIFO, which would block a read forever, nor
    a device such as /dev/zero, which never ends) of at most `limit` bytes — before anything reads or hashes it.
    `error` (naming `what` and the path) otherwise."""
    import stat

    try:
        st = path.stat()
    except OSError as e:
        raise error(f"{what}: cannot read {path}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{what}: {path} is not a regular file; give the {noun} itself")
    if st.st_size > limit:
        raise error(f"{what}: {path.name} is {st.st_size:,} bytes, more than {limit:,}: not a file of this kind")
    return st.st_size


def read_small(path: Path, limit: int, what: str, error: type[MlsalaryError] = InputError) -> bytes:
    """A regular file's bytes (check_regular first); an unreadable one is `error` naming the cause."""
    check_regular(path, limit, what, error, noun=what)
    try:
        with open(path, "rb") as f:
            return f.read(limit + 1)[:limit]
    except OSError as e:
        raise error(f"{what}: cannot read {path}: {e.strerror or e}") from None

"""Finding and downloading source files: the only module that touches the network.

Files are taken, in order, from a path the user names (``--from``), the mirror folder (``MLSALARY_MIRROR``),
the download cache, and the source's official home. A download streams into a ``.part`` file beside its
destination, is checked (complete length, sha256 when one is expected) and only then renamed into place, with a
``.sha256`` sidecar; any failure removes the partial file, so the cache never holds half a file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from mlsalary import config
from mlsalary.errors import DownloadError, SourceError, SourceUnavailable, Unreachable
from mlsalary.sources import FetchedFile, ProgressFn, SourceMeta

CHUNK = 1 << 16


def sha256_of(path: Path) -> str:
    """The file's sha256; SourceError naming the file when it cannot be read (permission, I/O error)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as e:
        raise SourceError(f"cannot read {path}: {e.strerror or e}") from None
    return h.hexdigest()


def hashing(paths: list[Path]) -> list[Future[str]]:
    """The files' sha256 (sha256_of), computed one after the other by a thread of their own while the caller goes on —
    files given by path are parsed meanwhile (hashlib and the reads release the GIL: 2,000,000 generated LCA filings,
    774 MB, were hashed for 0.6 s before their parse began). Each result, or its SourceError, comes from its future's
    ``result()``. One thread for all: a folder of quarterly files is not read many times at once. A future cancelled
    before its file is begun (stop_hashing: the pull is over) is skipped, so a failed pull does not go on reading."""
    import threading

    futures: list[Future[str]] = [Future() for _ in paths]

    def run() -> None:
        for path, future in zip(paths, futures, strict=True):
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(sha256_of(path))
            except BaseException as e:  # handed to whoever reads the digest
                future.set_exception(e)

    threading.Thread(target=run, daemon=True, name="sha256").start()
    return futures


def stop_hashing(files: list[FetchedFile]) -> None:
    """Cancel the hashes of `files` not yet begun (a pull that is over, whatever its outcome, needs none of them)."""
    for f in files:
        if not isinstance(f.digest, str):
            f.digest.cancel()


def download(
    url: str,
    dest: Path,
    *,
    expected_sha256: str | None = None,
    progress: ProgressFn | None = None,
    timeout: float | None = None,
) -> str:
    """Download `url` to `dest` atomically; returns the file's sha256. Raises DownloadError with the fix."""
    import httpx

    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    h = hashlib.sha256()
    done = 0
    try:
        with httpx.stream(
            "GET",
            url,
            # The file's own bytes are wanted: no transfer compression asked for (a server that compresses anyway
            # is decoded below — the cache never holds gzip bytes under a .csv name).
            headers={"User-Agent": config.USER_AGENT, "Accept-Encoding": "identity"},
            timeout=timeout if timeout is not None else config.HTTP_TIMEOUT_S,
            follow_redirects=True,
        ) as r:
            if r.status_code != 200:
                raise DownloadError(f"{url}: HTTP {r.status_code} {r.reason_phrase}; {_fix(dest)}")
            total_hdr = r.headers.get("content-length")  # bytes on the wire (encoded, when the server compressed)
            total = int(total_hdr) if total_hdr and total_hdr.isdigit() else None
            with open(part, "wb") as f:
                for chunk in r.iter_bytes(CHUNK):  # decoded
                    f.write(chunk)
                    h.update(chunk)
                    done = r.num_bytes_downloaded
                    if progress:
                        progress(dest.name, done, total)
            done = r.num_bytes_downloaded
            if total is not None and done != total:
                raise DownloadError(f"{url}: transfer interrupted after {done} of {total} bytes; run the pull again")
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    except OSError as e:  # writing the cache (a full disk): httpx's own errors are not OSErrors
        part.unlink(missing_ok=True)
        from mlsalary.files import os_cause

        raise DownloadError(f"{url}: {os_cause(e, part.parent)}") from e
    except httpx.HTTPError as e:  # a cut connection, or a body that fails to decode
        part.unlink(missing_ok=True)
        kind = type(e).__name__
        error = Unreachable if isinstance(e, httpx.ConnectError | httpx.ConnectTimeout) and not done else DownloadError
        raise error(f"{url}: {kind}: {e} (after {done} bytes); {_fix(dest)}") from e
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    digest = h.hexdigest()
    if expected_sha256 and digest != expected_sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{url}: checksum mismatch (sha256 {digest[:12]}..., expected {expected_sha256[:12]}...); "
            "the file was not kept — try again later or provide the file with --from"
        )
    os.replace(part, dest)
    dest.with_name(dest.name + ".sha256").write_text(digest + "\n")
    return digest


def verified(path: Path, expected: str, fix: str) -> str:
    """The sha256 of `path` when it is `expected` (a checksum known in advance: a file shipped inside a package);
    SourceError naming the file and `fix` otherwise."""
    digest = sha256_of(path)
    if digest != expected.lower():
        raise SourceError(f"{path.name} is damaged (sha256 {digest[:12]}..., expected {expected[:12]}...): {fix}")
    return digest


def known_sha256(sums: Path, name: str) -> str | None:
    """The sha256 a SHA256SUMS file (sha256sum's format: digest, two spaces, name) gives for `name`."""
    if not sums.is_file():
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, file = line.partition("  ")
        if file.strip().lstrip("*") == name:
            return digest.strip()
    return None


def _fix(dest: Path) -> str:
    return f"check the network, or download {dest.name} yourself and pass it with --from"


def cached(dest: Path) -> str | None:
    """The sha256 of a cached file when it is complete and matches its sidecar, else None."""
    side = dest.with_name(dest.name + ".sha256")
    if not dest.is_file() or not side.is_file():
        return None
    digest = sha256_of(dest)
    return digest if digest == side.read_text().strip() else None


def source_cache(name: str) -> Path:
    return config.cache_dir() / name


def candidate_dirs(name: str, from_path: Path | None) -> list[tuple[str, Path]]:
    """Folders to look in, in order, with the origin label of each."""
    if from_path is not None:
        return [("user", from_path / name), ("user", from_path)]
    dirs: list[tuple[str, Path]] = []
    mirror = config.mirror_dir()
    if mirror is not None:
        dirs.append(("mirror", mirror / name))
    return dirs


def resolve_local(
    meta: SourceMeta,
    from_path: Path | None,
    pick: Callable[[Path], list[Path]],
) -> list[FetchedFile]:
    """Files for `meta` from the user's path or the mirror; [] when neither has them.

    `pick(folder)` returns the files of this source in a folder (possibly none). A `from_path` that is a file is
    taken as it is. A user path that exists but holds nothing usable is an error, not a silent fall-through.
    """
    if from_path is not None:
        if not from_path.exists():
            raise SourceError(f"{meta.name}: --from {from_path} does not exist; check the path")
        if from_path.is_file():
            from mlsalary.sources.textfile import require_regular

            require_regular(from_path, meta.name)  # its size is checked before it is hashed
            (digest,) = hashing([from_path])
            return [FetchedFile(from_path, digest, f"user:{from_path}")]
        if not from_path.is_dir():  # a FIFO, a device: reading it would hang or never end
            raise SourceError(f"{meta.name}: {from_path} is not a regular file; give the data file itself")
    for origin, folder in candidate_dirs(meta.folder or meta.name, from_path):
        if folder.is_dir():
            files = pick(folder)
            if files:
                from mlsalary.sources.textfile import require_regular

                for p in files:  # a FIFO or a device named like a source file is refused before anything reads it
                    require_regular(p, meta.name)
                digests = hashing(files)
                return [FetchedFile(p, d, f"{origin}:{p}") for p, d in zip(files, digests, strict=True)]
    if from_path is not None:
        raise unavailable(meta, f"no {meta.expected_files} in {from_path}")
    return []


def unavailable(meta: SourceMeta, why: str) -> SourceUnavailable:
    return SourceUnavailable(f"{meta.name}: {why}; {meta.how_to_provide}")

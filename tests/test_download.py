"""The downloader against a local HTTP server on 127.0.0.1: success, checksum mismatch, 404, cut transfers."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import api
from mlsalary.errors import DownloadError
from mlsalary.sources import FetchedFile, aijobs, retrieve

BODY = (
    b"work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
    b"employee_residence,remote_ratio,company_location,company_size\n"
    b"2024,SE,FT,Machine Learning Engineer,200000,USD,200000,US,0,US,M\n"
)


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []  # noqa: RUF012  (shared by the test server's threads on purpose)
    seen_encodings: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/salaries.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/cut.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) * 10))
            self.end_headers()
            self.wfile.write(BODY)  # then the connection closes: the transfer is cut short
            self.close_connection = True
        elif self.path in ("/gzip.csv", "/negotiated.csv"):
            import gzip

            asked = "gzip" in self.headers.get("Accept-Encoding", "")
            Handler.seen_encodings.append(self.headers.get("Accept-Encoding", ""))
            body = gzip.compress(BODY) if self.path == "/gzip.csv" or asked else BODY
            self.send_response(200)
            if body is not BODY:
                self.send_header("Content-Encoding", "gzip")  # /gzip.csv: even when not asked, as some servers do
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_writes_file_checksum_sidecar_and_sends_user_agent(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "cache" / "salaries.csv"
    seen = []
    digest = retrieve.download(
        f"{server}/salaries.csv",
        dest,
        expected_sha256=hashlib.sha256(BODY).hexdigest(),
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert dest.read_bytes() == BODY
    assert digest == hashlib.sha256(BODY).hexdigest()
    assert retrieve.cached(dest) == digest
    assert seen[-1] == ("salaries.csv", len(BODY), len(BODY))
    assert Handler.seen_agents[-1].startswith("mlsalary/")


@pytest.mark.parametrize("path", ["/negotiated.csv", "/gzip.csv"])
def test_a_download_saves_the_files_own_bytes_whatever_the_transfer_encoding(server: str, tmp_path: Path,
                                                                             path: str) -> None:  # fmt: skip
    """httpx asks for gzip by default, and iter_raw saved the compressed bytes as salaries.csv. The download asks
    for the identity encoding, and decodes a server that compresses anyway; the checksum is of the file's bytes."""
    dest = tmp_path / "salaries.csv"
    digest = retrieve.download(f"{server}{path}", dest, expected_sha256=hashlib.sha256(BODY).hexdigest())
    assert dest.read_bytes() == BODY and digest == hashlib.sha256(BODY).hexdigest()
    assert Handler.seen_encodings[-1] == "identity"
    assert aijobs.parse([FetchedFile(dest, digest, "test")]).rows_loaded == 1


def test_checksum_mismatch_keeps_nothing(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "salaries.csv"
    with pytest.raises(DownloadError, match=r"salaries.csv: checksum mismatch \(sha256 .*the file was not kept"):
        retrieve.download(f"{server}/salaries.csv", dest, expected_sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_404_is_a_clear_error_and_keeps_nothing(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "x.csv"
    with pytest.raises(DownloadError, match=r"/nothing.csv: HTTP 404 Not Found; check the network, or download x.csv"):
        retrieve.download(f"{server}/nothing.csv", dest)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_transfer_keeps_no_partial_file(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "cut.csv"
    with pytest.raises(DownloadError, match=r"/cut.csv: .*(interrupted|RemoteProtocolError|incomplete)"):
        retrieve.download(f"{server}/cut.csv", dest)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_host_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(DownloadError, match=r"ConnectError"):
        retrieve.download(f"http://127.0.0.1:{port}/salaries.csv", tmp_path / "s.csv", timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_corrupted_cache_file_is_not_trusted(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("abc")
    (tmp_path / "a.csv.sha256").write_text(hashlib.sha256(b"abc").hexdigest())
    assert retrieve.cached(f)
    f.write_text("abd")
    assert retrieve.cached(f) is None


def test_pull_aijobs_online_downloads_into_the_cache(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLSALARY_OFFLINE")
    monkeypatch.setattr(aijobs, "META", dataclasses.replace(aijobs.META, download_urls=(f"{server}/salaries.csv",)))
    code, out, err = run_cli("data", "pull", "aijobs")
    assert code == 0, err
    cached = retrieve.source_cache("aijobs") / "salaries.csv"
    assert cached.read_bytes() == BODY
    # Offline now: the cache serves the same file.
    code, out, err = run_cli("data", "pull", "aijobs", "--offline")
    assert code == 0, err


def test_pull_aijobs_online_failure_falls_back_to_the_bundled_copy(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLSALARY_OFFLINE")
    monkeypatch.setattr(aijobs, "META", dataclasses.replace(aijobs.META, download_urls=(f"{server}/gone.csv",)))
    code, out, err = run_cli("data", "pull", "aijobs")
    assert code == 0
    assert err.strip() == (
        "note: aijobs: loaded the copy bundled with mlsalary (salaries_2025-08-09.csv.xz, aijobs.net's final data; "
        f"CC0): the download failed ({server}/gone.csv: HTTP 404 Not Found; check the network, or download "
        "salaries.csv yourself and pass it with --from), and no copy was given with --from, MLSALARY_MIRROR or in "
        "the cache"
    )
    assert not list(retrieve.source_cache("aijobs").glob("*"))  # nothing half-downloaded is kept
    assert api.status()["sources"][0]["origin"] == "package:mlsalary/data/aijobs/salaries_2025-08-09.csv.xz"


def test_the_bundled_snapshot_is_checked_against_the_checksum_shipped_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known checksum: the bundled aijobs snapshot's (SHA256SUMS beside it; the OEWS package file is checked
    against its manifest the same way, oews.package_file). A damaged copy is refused with the fix, never loaded."""
    from mlsalary.errors import SourceError

    f = aijobs.bundled("test")
    assert f.sha256 == retrieve.known_sha256(f.path.with_name("SHA256SUMS"), f.path.name) == retrieve.sha256_of(f.path)
    monkeypatch.setattr(retrieve, "known_sha256", lambda sums, name: "0" * 64)
    with pytest.raises(SourceError, match="is damaged .*reinstall mlsalary"):
        aijobs.bundled("test")


def test_a_file_given_by_path_is_hashed_while_the_pull_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """resolve_local hands the file over before its sha256 is known (retrieve.hashing: the parse reads it meanwhile);
    the digest is the file's, waited for where it is read, and a failed hash is raised there, naming the file."""
    from mlsalary.errors import SourceError

    f = tmp_path / "salaries.csv"
    f.write_bytes(BODY)
    release = threading.Event()
    real = retrieve.sha256_of

    def slow(path: Path) -> str:
        assert release.wait(20)
        return real(path)

    monkeypatch.setattr(retrieve, "sha256_of", slow)
    (got,) = retrieve.resolve_local(aijobs.META, f, aijobs.pick)  # returns while the hash is held up
    (in_folder,) = retrieve.resolve_local(aijobs.META, tmp_path, aijobs.pick)  # a folder's files alike
    assert in_folder.path == f
    for g in (got, in_folder):
        assert not isinstance(g.digest, str) and not g.digest.done()
    release.set()
    assert got.sha256 == in_folder.sha256 == hashlib.sha256(BODY).hexdigest() == real(f)

    def unreadable(path: Path) -> str:
        raise SourceError(f"cannot read {path}: Permission denied")

    monkeypatch.setattr(retrieve, "sha256_of", unreadable)
    (bad,) = retrieve.resolve_local(aijobs.META, f, aijobs.pick)
    with pytest.raises(SourceError, match=re.escape(f"cannot read {f}")):
        assert bad.sha256  # raises


def test_the_pull_records_the_digest_of_every_file_it_read(tmp_path: Path) -> None:
    f = tmp_path / "salaries.csv"
    f.write_bytes(BODY)
    (o,) = api.pull(["aijobs"], from_path=f)
    assert o.status == "loaded" and o.record["sha256"] == [hashlib.sha256(BODY).hexdigest()]


def test_files_are_hashed_one_after_the_other_by_one_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of quarterly files is hashed by one thread, in order, not read many times at once."""
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"q{i}.csv")
        paths[-1].write_bytes(BODY * (i + 1))
    order: list[tuple[int | None, Path]] = []
    real = retrieve.sha256_of

    def recording(path: Path) -> str:
        order.append((threading.get_ident(), path))
        return real(path)

    monkeypatch.setattr(retrieve, "sha256_of", recording)
    digests = [f.result(timeout=20) for f in retrieve.hashing(paths)]
    assert digests == [hashlib.sha256(BODY * (i + 1)).hexdigest() for i in range(3)]
    assert [p for _, p in order] == paths
    assert len({t for t, _ in order}) == 1 and order[0][0] != threading.get_ident()


def test_a_pull_that_fails_stops_hashing_the_files_it_no_longer_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash of a pull's files runs beside the parse (retrieve.hashing); when the pull is over — here it fails on
    the first file's layout — the files not yet begun are not read (stop_hashing), and the pull says why it failed."""
    folder = tmp_path / "aijobs"
    folder.mkdir()
    (folder / "salaries.csv").write_text("not,the,layout\n1,2,3\n")
    for day in ("2024-01-01", "2023-01-01", "2022-01-01"):
        (folder / f"salaries_{day}.csv").write_bytes(BODY)
    release = threading.Event()
    hashed: list[str] = []
    real = retrieve.sha256_of

    def held(path: Path) -> str:
        hashed.append(path.name)
        assert release.wait(20)
        return real(path)

    monkeypatch.setattr(retrieve, "sha256_of", held)
    died: list[object] = []
    monkeypatch.setattr(threading, "excepthook", died.append)  # the hashing thread must end, not die
    (o,) = api.pull(["aijobs"], from_path=folder)
    assert o.status == "failed" and "missing column" in o.message
    release.set()
    for t in [t for t in threading.enumerate() if t.name == "sha256"]:
        t.join(10)
    assert hashed == ["salaries.csv"] and not died  # the three older snapshots were never read for their hash

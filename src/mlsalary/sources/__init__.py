"""Sources as plug-ins: one module per data set, each with ``META``, ``fetch()`` and ``parse()``.

- ``fetch(from_path=None, offline=False, progress=None) -> list[FetchedFile]`` is the only code that touches the
  network. It takes files from, in order: a path the user gives, the mirror folder (MLSALARY_MIRROR), the
  download cache, and — unless offline — the source's official home.
- ``parse(files) -> ParseResult`` is pure and offline: raw files in, normalized rows and quarantined rows out.

Register a new source by adding its module name to ``SOURCE_MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future

    import pandas as pd
    import pyarrow as pa

from mlsalary.errors import NotFound
from mlsalary.overlap import AHEAD_PARTS
from mlsalary.sources.quarantine import QuarantineRows

#: Registered sources, in the order `data pull` runs them.
SOURCE_MODULES = {
    "aijobs": "mlsalary.sources.aijobs",
    "oews": "mlsalary.sources.oews",
    "stackoverflow": "mlsalary.sources.stackoverflow",
    "kaggle-survey": "mlsalary.sources.kaggle",
    "lca": "mlsalary.sources.lca",
}

#: progress(label, bytes_done, bytes_total_or_None) — called while downloading.
ProgressFn = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class SourceMeta:
    name: str
    title: str
    licence: str
    homepage: str
    citation: str
    unit: str
    period: str
    download_urls: tuple[str, ...]
    expected_files: str
    how_to_provide: str
    attribution: str = ""
    #: What one observation of this source is (schema.COUNT_UNITS): what its figures count.
    count_unit: str = "respondents"
    #: The kinds of pay its rows hold (schema.PAY_KINDS): the store refuses any other.
    pay_kinds: tuple[str, ...] = ()
    #: ISO date of the source's last data when it has stopped publishing ("" while it publishes): its data is final.
    final_data: str = ""
    #: How to get newer data, for the stale-data warning.
    refresh: str = ""
    #: What of the source ships inside the installed packages ("" for nothing): a pull works offline.
    bundled: str = ""
    #: Whether mlsalary can download it (False: the user must fetch the files, as how_to_provide says).
    downloadable: bool = True
    #: The folder holding its files in a mirror or a --from folder ("" = the source's name).
    folder: str = ""
    #: The most one of its files may hold once decompressed (an xlsx: its unpacked XML), sized to the source's real
    #: files with room to grow: anything larger is refused before it is held (textfile.limit), so a small
    #: compressed file cannot expand to fill the memory.
    max_bytes: int = 256 << 20
    #: How the date each row was first public is found (vintage.RULES): what a vintage (--as-of) keeps.
    published: str = ""
    #: How many of its parts (parse_batches) may be made and wait while the store writes (overlap.Ahead): more keeps
    #: a reader as slow as the store busy through the store's row group writes and commits; each costs memory.
    parts_ahead: int = AHEAD_PARTS


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    #: The file's sha256, or its computation under way (retrieve.hashing: a file given by path is hashed while it is
    #: parsed); read it as ``sha256``.
    digest: str | Future[str] = field(repr=False, compare=False)
    origin: str  # "user:<path>", "mirror:<path>", "cache:<path>", "download:<url>", "package:<name>"
    note: str = ""  # why this copy was taken, when it is a fallback (a failed download)

    @property
    def sha256(self) -> str:
        """The file's sha256 (waiting for its computation if it is still under way; its error is raised here)."""
        return self.digest if isinstance(self.digest, str) else self.digest.result()


@dataclass
class ParseResult:
    rows_read: int
    version: str
    observations: pd.DataFrame | pa.Table | None = None  # an Arrow table from a streaming source's parts
    aggregates: pd.DataFrame | None = None
    skills: pd.DataFrame | None = None  # (obs_id, source, skill, category); not counted as rows
    quarantine: QuarantineRows = field(default_factory=QuarantineRows)
    notes: list[str] = field(default_factory=list)
    data_as_of: date | None = None  # the date the data is as of (snapshot, release reference date, end of fielding)

    @classmethod
    def combine(cls, parts: list[ParseResult]) -> ParseResult:
        """One result from the results of several files of a source (e.g. one survey file per year)."""
        import pandas as pd

        q = QuarantineRows()
        for part in parts:
            q.extend(part.quarantine)

        def frame(obs: Any) -> Any:  # a streaming part's Arrow table as the frame every other part is
            return obs if obs is None or isinstance(obs, pd.DataFrame) else obs.to_pandas()

        return cls(
            rows_read=sum(p.rows_read for p in parts),
            version=", ".join(dict.fromkeys(p.version for p in parts)),
            observations=pd.concat([frame(p.observations) for p in parts], ignore_index=True),
            skills=pd.concat(skills, ignore_index=True) if (skills := [p.skills for p in parts if p.skills is not None])
            else None,
            quarantine=q,
            notes=[n for p in parts for n in p.notes],
            data_as_of=max((p.data_as_of for p in parts if p.data_as_of), default=None),
        )

    @property
    def rows_loaded(self) -> int:
        n = 0
        for df in (self.observations, self.aggregates):
            n += 0 if df is None else len(df)
        return n

    @property
    def rows_duplicate(self) -> int:
        obs = self.observations
        if obs is None or len(obs) == 0:
            return 0
        import pandas as pd

        if isinstance(obs, pd.DataFrame):
            return int((obs["dup_rank"] > 1).sum())
        import pyarrow.compute as pc  # an Arrow table

        return int(pc.sum(pc.greater(obs.column("dup_rank"), 1)).as_py() or 0)


def names() -> list[str]:
    return list(SOURCE_MODULES)


def get(name: str) -> ModuleType:
    """The module of a source: META, fetch(), parse()."""
    if name not in SOURCE_MODULES:
        raise NotFound(f"unknown source {name!r}: choose from {', '.join(SOURCE_MODULES)}")
    return importlib.import_module(SOURCE_MODULES[name])


def meta(name: str) -> SourceMeta:
    m: Any = get(name)
    meta_: SourceMeta = m.META
    return meta_

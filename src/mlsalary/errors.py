"""Typed errors. The library raises them; the CLI (and later the web app) turns them into one line for the user.

Every message says what went wrong, which file/row/field or value, and what to do about it.
"""

from __future__ import annotations


class MlsalaryError(Exception):
    """Base of every error the user should see as one clear line."""


class SourceError(MlsalaryError):
    """A source file cannot be found, fetched or read."""


class SourceUnavailable(SourceError):
    """A source cannot be obtained in this setting (offline, no mirror, needs a login...)."""


class SchemaError(SourceError):
    """A file does not have the layout its source expects (missing or unknown columns, wrong sheet)."""


class DownloadError(SourceError):
    """A download failed: HTTP error, interrupted transfer or checksum mismatch."""


class Unreachable(DownloadError, SourceUnavailable):
    """The source's home could not be reached at all (no network, no DNS, refused): unavailable, not failed."""


class InputError(MlsalaryError):
    """A value the user gave cannot be used; `field` names it (the web API reports it as the 422's location)."""

    def __init__(self, message: str, field: str = "input") -> None:
        super().__init__(message)
        self.field = field


class StoreError(MlsalaryError):
    """The database cannot be opened, is locked, or has no data for the request."""


class InsufficientData(MlsalaryError):
    """The data is too thin for an honest answer."""


class NotFound(MlsalaryError):
    """A lookup (occupation, area, year...) matched nothing."""


class ModelNotReady(MlsalaryError):
    """No usable trained model, where training now is not allowed (inside a web request)."""

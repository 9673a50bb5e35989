"""Every error htz raises on purpose, and what a person can do about it.

::

    HtzError                    exit 2, HTTP 500   root; never raised itself
    ├── InputError              exit 2, HTTP 400   bad input: a value, a file, an argument
    │   ├── PeriodError                            a period code that does not parse
    │   ├── IdentifierError                        a USCC or other code that fails its check
    │   └── ImportProblemsError                    a file with problems; carries every Issue
    ├── NotFoundError           exit 2, HTTP 404   a zone, enterprise or report that does not exist
    ├── ConflictError           exit 2, HTTP 409   the thing changed or is locked
    │   ├── StaleVersionError                      someone else saved the report since you read it
    │   ├── PeriodClosedError                      the period is closed to changes
    │   └── TransitionError                        the report is not in a state that allows it
    ├── AuthError               exit 2, HTTP 401   not signed in, or a wrong name or password
    ├── ForbiddenError          exit 2, HTTP 403   signed in, but the role may not do this
    ├── ThrottledError          exit 2, HTTP 429   too many attempts; wait and try again
    ├── ConfigError             exit 2, HTTP 500   a setting that cannot be used
    └── StoreError              exit 2, HTTP 503   the database refused or could not be reached

Each message says what is wrong, where, and how to fix it. The CLI prints the
message on one line and exits with ``exit_code``; the web layer answers with
``http_status``. Database driver errors are translated into ``StoreError`` at
the store boundary, so nothing above it sees a driver exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class HtzError(Exception):
    """Root of the htz error tree."""

    exit_code = 2
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(HtzError):
    """Input that htz cannot accept as given."""

    http_status = 400


class PeriodError(InputError):
    """A period code that is not `YYYY`, `YYYY-Qn` or `YYYY-Mnn`."""


class IdentifierError(InputError):
    """An identifier that fails its check (USCC, province code, industry code)."""


class NotFoundError(HtzError):
    """Something named by the user that does not exist."""

    http_status = 404


class ConflictError(HtzError):
    """The request conflicts with the current state of what it changes."""

    http_status = 409


class StaleVersionError(ConflictError):
    """An edit based on a version of a report that is no longer current."""


class PeriodClosedError(ConflictError):
    """A change to a period that a national user has closed."""


class TransitionError(ConflictError):
    """A workflow step that the report's current status does not allow."""


class AuthError(HtzError):
    """Not signed in, a wrong name or password, or an expired session."""

    http_status = 401


class ForbiddenError(HtzError):
    """Signed in, but the role or scope does not allow the request (or a missing CSRF token)."""

    http_status = 403


class ThrottledError(HtzError):
    """Too many attempts in a short time; ``retry_after`` seconds to wait."""

    http_status = 429

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class ConfigError(HtzError):
    """A setting that cannot be used."""


class StoreError(HtzError):
    """The database could not do what was asked."""

    http_status = 503


@dataclass(frozen=True)
class Issue:
    """One problem found in input, as data: the CLI, the web form and the API render it.

    ``row`` counts data rows from 1 as a spreadsheet shows them (the header is row 1,
    so the first data row is row 2); ``column`` is the header as written in the file.
    """

    code: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def render(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportProblemsError(InputError):
    """A file with problems. Nothing was stored; ``issues`` lists every problem."""

    source: str
    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.issues)
        first = self.issues[0].render() if self.issues else ""
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        super().__init__(
            f"{self.source}: {first}{more}. Nothing was stored; fix the file and import "
            "it again, or use --keep-valid to store the valid rows."
        )

"""The errors the core raises, as one tree.

PaperboyError
 ├── PlatformRefused            a chat platform refused our credentials or settings
 ├── DatabaseUnavailable        the database cannot be opened (no driver, nothing answers)
 ├── SchemaOutOfDate            the database holds an older schema than this code needs
 ├── ModelUnavailable           the language model failed or timed out
 └── SourceError                a paper source could not give us data
      ├── SourceUnavailable     network faults, timeouts, 5xx, after every retry
      │    └── RateLimited      429 after every retry (arXiv's plain-text "Rate exceeded.")
      ├── SourceRejected        the source refused the request itself (4xx, not retried)
      │    └── ArxivQueryError  the arXiv API's error feed (an Atom entry titled "Error")
      └── UnreadableResponse    the body is not the format we asked for
"""

from __future__ import annotations


class PaperboyError(Exception):
    """Base of every error Paperboy raises on purpose."""


class SourceError(PaperboyError):
    """A paper source failed; `source` names it for reports."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(SourceError):
    """The source did not answer usefully after every retry."""


class RateLimited(SourceUnavailable):
    """The source kept answering 429 Too Many Requests."""


class SourceRejected(SourceError):
    """The source answered that the request itself is wrong; retrying will not help."""


class ArxivQueryError(SourceRejected):
    """The arXiv API answered with its error feed, e.g. `incorrect id format for 1234.12345`."""


class UnreadableResponse(SourceError):
    """The response is not valid JSON/XML of the expected shape."""


class ModelUnavailable(PaperboyError):
    """The language model (a chat-completions server) failed or timed out."""


class PlatformRefused(PaperboyError):
    """A chat platform refused to connect (a wrong token, an intent not switched on): the message
    says what to fix."""


class DatabaseUnavailable(PaperboyError, RuntimeError):
    """The database cannot be opened: no driver installed for it, or nothing answers there.
    (The storage raises it; the CLI says it without a traceback.)"""


class SchemaOutOfDate(PaperboyError, RuntimeError):
    """The database holds an older schema than this code needs."""

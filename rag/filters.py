"""Which documents a question may be answered from: a value object the doors build and
retrieval applies; it imports nothing heavy, so a client that only forwards it loads nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from rag.errors import InvalidInput, check_text


class _HasSourceAndDate(Protocol):
    source: str
    date_int: int | None


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval by document metadata."""

    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        for source in self.sources:
            check_text(source, "a source filter")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise InvalidInput(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None

    def allows(self, meta: "_HasSourceAndDate") -> bool:
        if self.sources and meta.source not in self.sources:
            return False
        if self.date_from and (meta.date_int is None or meta.date_int < int(self.date_from.replace("-", ""))):
            return False
        if self.date_to and (meta.date_int is None or meta.date_int > int(self.date_to.replace("-", ""))):
            return False
        return True

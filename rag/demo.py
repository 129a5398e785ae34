"""The demo corpus (`seeds/` of the repository), kept in a collection of its own.

It answers while the user has no documents of their own: a question that names no collection
goes to the default collection once that exists, and to the demo before then. The two never mix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from rag.settings import Settings

DEMO_COLLECTION = "demo"


def seeds_dir() -> Path | None:
    """The demo corpus's folder, when this is a checkout that has it."""
    found = Path(__file__).resolve().parent.parent / "seeds"
    return found if found.is_dir() else None


def answering_collection(settings: "Settings", named: str | None, existing: Sequence[str]) -> str:
    """The collection a question goes to: the one named, else the default one, else (while the
    default one does not exist yet) the demo corpus's."""
    name = settings.collection if named is None else named
    if named is None and name not in existing and DEMO_COLLECTION in existing:
        return DEMO_COLLECTION
    return name

"""LlamaIndex `MetadataFilters` as our retrieval `Filters`, where they map.

What maps: `source` equal to one value or in a list of them (OR-ed sources), and `date`
`>=` / `<=` / `==` an ISO date (YYYY-MM-DD), all combined with AND. Anything else is refused
with a message that says what is supported, never silently ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.errors import InvalidInput
from rag.retrieve import Filters

if TYPE_CHECKING:
    from llama_index.core.vector_stores.types import MetadataFilters

SUPPORTED = "source (==, in) and date (>=, <=, ==, as YYYY-MM-DD), combined with AND"


def to_filters(metadata_filters: "MetadataFilters | None") -> Filters:
    """Our `Filters` for `metadata_filters` (None: no filter)."""
    if metadata_filters is None:
        return Filters()
    from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilters

    if metadata_filters.condition not in (None, FilterCondition.AND) and len(metadata_filters.filters) > 1:
        raise InvalidInput(f"only AND-ed metadata filters map onto this retriever; supported: {SUPPORTED}")
    sources: list[str] = []
    date_from = date_to = None
    for item in metadata_filters.filters:
        if isinstance(item, MetadataFilters):
            raise InvalidInput(f"nested metadata filters do not map onto this retriever; supported: {SUPPORTED}")
        key, operator, value = item.key, item.operator, item.value
        if key == "source" and operator == FilterOperator.EQ and isinstance(value, str):
            sources.append(value)
        elif key == "source" and operator == FilterOperator.IN and isinstance(value, list):
            sources.extend(str(v) for v in value)
        elif key == "date" and operator in (FilterOperator.GTE, FilterOperator.EQ) and isinstance(value, str):
            date_from = max(date_from or value, value)
            if operator == FilterOperator.EQ:
                date_to = min(date_to or value, value)
        elif key == "date" and operator == FilterOperator.LTE and isinstance(value, str):
            date_to = min(date_to or value, value)
        else:
            raise InvalidInput(f"metadata filter {key} {operator.value} {value!r} does not map onto this retriever; supported: {SUPPORTED}")
    return Filters(tuple(dict.fromkeys(sources)), date_from, date_to)

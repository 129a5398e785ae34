"""The exception tree. Every message says what was wrong and what to do.

    RagError
    ├── ConfigError            settings that cannot work together
    ├── StoreUnavailable       Chroma cannot be reached or opened
    ├── FingerprintMismatch    a collection built with other embedding or chunking settings
    ├── UnknownCollection      no collection by that name
    ├── DocumentNotFound       no document with that id
    ├── InvalidInput           a value outside what is allowed
    ├── LlmUnavailable         the LLM backend failed (the answer falls back to extractive)
    ├── ServerUnavailable      the rag server at RAG_SERVER_URL cannot be reached
    └── SkipFile               a file that cannot be ingested (reported, never fatal)
"""

from __future__ import annotations

import re


class RagError(Exception):
    """Base of every error the service raises on purpose."""

    code = "error"


class ConfigError(RagError):
    code = "config_error"


class StoreUnavailable(RagError):
    code = "store_unavailable"


class FingerprintMismatch(RagError):
    code = "fingerprint_mismatch"


class UnknownCollection(RagError):
    code = "unknown_collection"


class DocumentNotFound(RagError):
    code = "document_not_found"


class InvalidInput(RagError):
    code = "invalid_input"


class LlmUnavailable(RagError):
    """The LLM backend refused, timed out, failed or returned nothing usable."""

    code = "llm_unavailable"


class ServerUnavailable(RagError):
    """The rag server a client was pointed at (RAG_SERVER_URL) cannot be reached."""

    code = "server_unavailable"


class SkipFile(RagError):
    """A file that is skipped; the message is the reason shown to the user."""

    code = "skipped"


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> str:
    """`value` when it is valid Unicode text; InvalidInput naming `what` when it holds an unpaired
    surrogate: a JSON escape such as "\\ud800", or bytes that were not UTF-8 in a command-line
    argument (Python keeps them as surrogates). Nothing downstream can encode such a string."""
    if found := _SURROGATE.search(value):
        raise InvalidInput(
            f"{what} is not valid text: it holds an unpaired surrogate (U+{ord(found.group()):04X}) at position "
            f"{found.start()}, from bytes that are not UTF-8 or a broken \\u escape; send UTF-8 text"
        )
    return value

"""What the scripted LLM says in the tests of the LLM path: a sentence the demo corpus
supports, one it does not, and where a passage sits in the prompt the LLM was sent."""

from __future__ import annotations

import re

TRUE = "The pipe bomb was discovered at 1:05 p.m. by a Capitol Police counter-surveillance officer"
INVENTED = "The bomb was assembled by a retired astronaut in Lisbon during the winter of 1987"


def block_of(body: dict, needle: str) -> int:
    """The number of the passage in the prompt that contains `needle`."""
    content = body["messages"][-1]["content"]
    heads = list(re.finditer(r"^\[(\d+)\] ", content, re.M))
    for head, following in zip(heads, heads[1:] + [None]):
        block = content[head.start() : following.start() if following else len(content)]
        if needle in block:
            return int(head.group(1))
    raise AssertionError(f"no passage holds {needle!r}")

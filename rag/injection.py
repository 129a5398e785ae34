"""Text in documents that addresses the model instead of informing the reader ("ignore previous
instructions", "reply only with ..."). Such sentences are quoted documents, never evidence:
the support checker does not count them, so an answer that obeys them is not supported."""

from __future__ import annotations

import re

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|all|any|your|system|these|those|other)\b[^.!?\n]{0,30}"
    r"\b(?:instructions?|rules|prompts?|guidelines|context|directions)\b"
    r"|\b(?:reply|respond|answer|say|output|print|write)\b[^.!?\n]{0,20}\bonly\b[^.!?\n]{0,10}\bwith\b"
    r"|\b(?:new|updated|real) instructions?\s*:"
    r"|\bsystem prompt\b"
    r"|\byou are (?:now )?(?:an? )?(?:\w+ )?(?:ai|assistant|language model|chatbot)\b"
    r"|\b(?:as|dear) (?:an? )?(?:ai|assistant|language model|llm)\b"
    r"|(?:^|[.!?]\s+)\W*(?:system|assistant|user|developer)\s*:"
    r"|\b(?:developer|jailbreak|god|dan) mode\b"
    r"|\b(?:every|each|your) (?:answers?|responses?|replies|outputs?)\s+(?:must|should|shall|has to|have to)\b",
    re.I,
)


def is_instruction(sentence: str) -> bool:
    """True for a sentence that gives orders to an AI model rather than stating facts."""
    return bool(_INSTRUCTION.search(sentence))

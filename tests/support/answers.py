"""A ready-made `Answer` for tests of what shows answers (the chat loop, the terminal)."""

from __future__ import annotations

from rag.schema import Answer, Citation


def fake_answer(question: str) -> Answer:
    return Answer(
        question=question, answer=f"About {question} [1]", abstained=False, answerability=0.9,
        citations=[Citation(id=1, document_id="d", source="/s.txt", title="T", start_char=0, end_char=4, quote="Text", score=0.9)],
        config_fingerprint="f", collection="c",
    )

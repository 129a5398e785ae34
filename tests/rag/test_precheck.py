"""Checking an LLM's sentences while it writes (`rag.llm.precheck`), with a judge that records
what it is asked: fast unit tests. The path with the real checker and a streaming server is
in `test_llm.py`."""

from __future__ import annotations

import threading

from rag.llm.answer import parse_draft
from rag.llm.precheck import Prechecks
from rag.verify import Judgement


def recording_prechecks(release: threading.Event | None = None):
    asked: list[tuple[str, list[int], str]] = []

    def judge(sentence):
        if release is not None:
            release.wait(5)
        asked.append((sentence.text, list(sentence.markers), threading.current_thread().name))
        return [Judgement(0.9, n) for n, _ in enumerate(sentence.markers)]

    return Prechecks(judge, lambda text: parse_draft(text, 3)), asked


def feed(prechecks: Prechecks, text: str) -> None:
    for word in text.split(" "):
        prechecks.feed(" " + word)


def test_a_sentence_is_judged_once_the_next_one_begins():
    prechecks, asked = recording_prechecks()
    with prechecks:
        feed(prechecks, "It was found at noon [1].")
        assert prechecks.submitted == 0  # it may still gain markers
        feed(prechecks, "Nobody saw")
        assert prechecks.submitted == 1
        feed(prechecks, "it [2]. Done [3].")
        assert prechecks.submitted == 2  # the last sentence is left to the final check
        (first, second, last) = parse_draft("It was found at noon [1]. Nobody saw it [2]. Done [3].", 3)
        assert prechecks.judged(first) == [Judgement(0.9, 0)] and prechecks.judged(second) is not None
        assert prechecks.judged(last) is None
    assert [(text, markers) for text, markers, _ in asked] == [("It was found at noon.", [1]), ("Nobody saw it.", [2])]
    assert all(name.startswith("precheck") for _, _, name in asked)


def test_markers_after_the_period_are_waited_for():
    prechecks, asked = recording_prechecks()
    with prechecks:
        feed(prechecks, "It was found at noon. [2] Nobody")
        (first, _) = parse_draft("It was found at noon. [2] Nobody saw it [1].", 3)
        assert prechecks.judged(first) is not None
    assert [(text, markers) for text, markers, _ in asked] == [("It was found at noon.", [2])]


def test_a_sentence_the_final_text_changes_is_not_reused():
    prechecks, _ = recording_prechecks()
    with prechecks:
        feed(prechecks, "It was found [1]. Later")
        assert prechecks.submitted == 1
        (changed,) = parse_draft("It was found [1][2].", 3)
        assert prechecks.judged(changed) is None  # other markers: judged again by the caller


def test_sentences_without_markers_are_left_alone():
    prechecks, asked = recording_prechecks()
    with prechecks:
        feed(prechecks, "Here is what I found. It was at noon [1]. More")
        assert prechecks.submitted == 1
    assert [text for text, _, _ in asked] == ["It was at noon."]


def test_leaving_drops_judgements_still_waiting():
    release = threading.Event()
    prechecks, asked = recording_prechecks(release)
    with prechecks:
        feed(prechecks, "One [1]. Two [2]. Three [3]. Four")
        assert prechecks.submitted == 3
    release.set()  # the first was running; the other two never start
    for thread in threading.enumerate():
        if thread.name.startswith("precheck"):
            thread.join(5)
    assert len(asked) <= 1


def test_marker_digits_streamed_apart_do_not_start_a_parse():
    prechecks, asked = recording_prechecks()
    with prechecks:
        for token in ["It", " was", " found", " [", "1", "]", ".", " [", "2", "]", " Then", " more"]:
            prechecks.feed(token)
        assert prechecks.submitted == 1
        (first, _) = parse_draft("It was found [1]. [2] Then more.", 3)
        assert prechecks.judged(first) is not None
    assert [(text, markers) for text, markers, _ in asked] == [("It was found.", [1, 2])]


def test_a_piece_holding_whole_sentences_is_parsed():
    prechecks, asked = recording_prechecks()
    with prechecks:
        for token in ["It was found [1].", " Nobody saw it [2]. Done", " [3]."]:
            prechecks.feed(token)
        assert prechecks.submitted == 2
        first, second, _ = parse_draft("It was found [1]. Nobody saw it [2]. Done [3].", 3)
        assert prechecks.judged(first) is not None and prechecks.judged(second) is not None
    assert [text for text, _, _ in asked] == ["It was found.", "Nobody saw it."]

import io

from rag.chat import Conversation, run_repl
from tests.support.answers import fake_answer


def test_follow_up_questions_carry_the_previous_subject():
    conversation = Conversation()
    first = "Where was the pipe bomb placed?"
    assert conversation.resolve(first) == first
    conversation.add(first, first, fake_answer(first))
    assert conversation.resolve("and when was it found?") == "and when was it found? (the pipe bomb)"
    assert conversation.resolve("and who found the device?") == "and who found the device? (pipe bomb placed)"
    standalone = "Who is the director of the Secret Service?"
    assert conversation.resolve(standalone) == standalone
    conversation.reset()
    assert conversation.resolve("and when was it found?") == "and when was it found?"


def test_repl_through_its_input_stream():
    asked, out = [], []
    script = "Where was the pipe bomb placed?\nand when was it found?\n/sources\n/history\n/bogus\n/reset\n/history\n/quit\nnever asked\n"

    def ask(question):
        asked.append(question)
        return fake_answer(question)

    count = run_repl(ask, io.StringIO(script), out.append)
    assert count == 2
    assert asked[0] == "Where was the pipe bomb placed?" and "pipe bomb" in asked[1]
    text = "\n".join(out)
    assert "/s.txt (0-4): Text" in text
    assert "1. Where was the pipe bomb placed?\n2. and when was it found?" in text
    assert "Unknown command '/bogus'" in text and "Conversation reset." in text and "No questions yet." in text
    assert "never asked" not in asked


def test_repl_survives_errors_and_ends_at_end_of_input():
    def ask(question):
        raise ValueError("boom")

    out = []
    assert run_repl(ask, io.StringIO("question?\n"), out.append) == 0
    assert "error: boom" in out

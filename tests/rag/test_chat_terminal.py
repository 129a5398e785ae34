"""`rag chat` in a terminal: real key sequences through prompt_toolkit's pipe input, and the
real command in a pseudo-terminal; and Ctrl-C when reading from a pipe."""

from __future__ import annotations

import codecs
import fcntl
import io
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from rag.chat import run_repl
from tests.support.answers import fake_answer
from tests.support.paths import REPO

UP, CTRL_C, CTRL_D, ENTER = "\x1b[A", "\x03", "\x04", "\r"


def chat(keys: str, then: list[str] | None = None, history_path: Path | None = None, ask=None):
    """Run the REPL on prompt_toolkit's pipe input: `keys` first, then each of `then` once a
    question is being answered (the prompt has ended, so the next one reads them fresh, with its
    history loaded: keys typed ahead of a prompt are read before its history is)."""
    asked, out = [], []
    queued = list(then or [])
    with create_pipe_input() as keyboard:
        def answer(question):
            asked.append(question)
            if queued:
                keyboard.send_text(queued.pop(0))
            return (ask or fake_answer)(question)

        keyboard.send_text(keys)
        count = run_repl(
            answer, io.StringIO(), out.append, history_path=history_path,
            terminal_input=keyboard, terminal_output=DummyOutput(),
        )
    return count, asked, out


def test_up_arrow_recalls_the_previous_question(tmp_path):
    count, asked, out = chat("Where was the pipe bomb placed?" + ENTER, [UP + ENTER, CTRL_D], tmp_path / "h")
    assert asked == ["Where was the pipe bomb placed?"] * 2 and count == 2
    assert out[-1] == "Goodbye."


def test_ctrl_c_drops_a_half_typed_line_and_the_chat_goes_on(tmp_path):
    count, asked, out = chat("half a quest" + CTRL_C + "/history" + ENTER + "a question" + ENTER, [CTRL_D], tmp_path / "h")
    assert asked == ["a question"] and count == 1
    assert "No questions yet." in out  # the dropped line was neither asked nor remembered
    assert not [line for line in out if "Traceback" in line or "Interrupt" in line]


def test_ctrl_d_on_an_empty_line_quits_and_not_on_a_typed_one(tmp_path):
    assert chat(CTRL_D, history_path=tmp_path / "h") == (0, [], ["Ask about your documents. /help lists commands.", "Goodbye."])
    # On a typed line Ctrl-D deletes the character under the cursor (here: none), then Enter asks.
    count, asked, _ = chat("q?" + CTRL_D + ENTER, [CTRL_D], tmp_path / "h")
    assert asked == ["q?"] and count == 1


def test_slash_commands_work_in_a_terminal(tmp_path):
    count, asked, out = chat("first question?" + ENTER, ["/sources" + ENTER + "/reset" + ENTER + "/help" + ENTER + "/quit" + ENTER], tmp_path / "h")
    text = "\n".join(out)
    assert count == 1 and "/s.txt (0-4): Text" in text and "Conversation reset." in text and "/history" in text
    assert out[-1] == "Goodbye."


def test_history_is_kept_in_its_file_for_the_next_chat(tmp_path):
    history = tmp_path / "new" / "dir" / "chat_history"  # made when missing
    chat("Who placed the pipe bomb?" + ENTER, [CTRL_D], history)
    assert "Who placed the pipe bomb?" in history.read_text()
    _, asked, _ = chat(UP + ENTER, [CTRL_D], history)
    assert asked == ["Who placed the pipe bomb?"]


def test_history_defaults_to_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    chat("q?" + ENTER, [CTRL_D])
    assert "+q?" in (tmp_path / "data" / "chat_history").read_text()


def test_an_unwritable_history_file_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    count, asked, out = chat("q?" + ENTER, [UP + ENTER, CTRL_D], blocker / "chat_history")
    assert asked == ["q?", "q?"] and count == 2  # history still works within the chat
    assert any(line.startswith("note: questions are not saved for next time (cannot write ") for line in out)


def test_ctrl_c_while_answering_stops_that_answer_in_a_terminal(tmp_path):
    def interrupted(question):
        if question == "slow?":
            raise KeyboardInterrupt
        return fake_answer(question)

    count, asked, out = chat("slow?" + ENTER, ["fast?" + ENTER, CTRL_D], tmp_path / "h", ask=interrupted)
    assert asked == ["slow?", "fast?"] and count == 1
    assert "Answer stopped." in out and out[-1] == "Goodbye."


@pytest.mark.parametrize("where", ["answering", "reading"])
def test_ctrl_c_from_a_pipe_ends_with_one_line_and_status_130(where, capsys):
    class Interrupting(io.StringIO):
        def readline(self, *args):
            if where == "reading" and self.tell() > 0:
                raise KeyboardInterrupt
            return super().readline(*args)

    def ask(question):
        if where == "answering":
            raise KeyboardInterrupt
        return fake_answer(question)

    out = []
    with pytest.raises(SystemExit) as stopped:
        run_repl(ask, Interrupting("first?\nsecond?\n"), out.append)
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "Interrupted (Ctrl-C): chat ended.\n"
    assert len(out) == (2 if where == "reading" else 1)  # the greeting, and the first answer when reading


class Terminal:
    """A process on the far side of a real pseudo-terminal, read as a user would see it."""

    ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\r\x08]")

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path):
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session leader whose controlling terminal is the pty
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd, self.raw, self.status = pid, fd, "", None
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode

    @property
    def screen(self) -> str:
        return self.ANSI.sub("", self.raw)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def _read(self, timeout: float) -> bool:
        """Take in what the process writes within `timeout`; False once it has closed the terminal."""
        if not select.select([self.fd], [], [], max(timeout, 0))[0]:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child's side is closed
            return False
        chunk = self._decode(data)
        self.raw += chunk
        if "\x1b[6n" in chunk:  # prompt_toolkit asks where the cursor is, and a terminal answers
            self.send("\x1b[24;1R")
        return bool(data)

    def read_until(self, pattern: str, timeout: float, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while not (found := re.compile(pattern).search(self.screen, start)):
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                raise AssertionError(f"{pattern!r} not seen in {timeout} s; the screen:\n{self.screen[-3000:]}")
        return found

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and self._read(left):
            pass

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is None

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            if not self._read(0.1):
                time.sleep(0.1)
        if self.status is None:
            raise AssertionError(f"still running after {timeout} s; the screen:\n{self.screen[-3000:]}")
        return self.status

    def close(self) -> None:
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.mark.slow
def test_rag_chat_in_a_real_terminal(tmp_path):
    """The first chat in an empty data directory indexes the demo corpus, then answers; Up brings
    back the question, Ctrl-C drops it for a fresh prompt, Ctrl-D leaves with status 0."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(RAG_DATA_DIR=str(tmp_path / "data"), TERM="xterm-256color")  # the model cache: conftest's RAG_INDEX__MODEL_CACHE_DIR
    terminal = Terminal([sys.executable, "-m", "rag", "chat"], env, REPO)
    question = "What time was the pipe bomb discovered?"
    try:
        terminal.read_until(r"you>", timeout=180)  # the space after it is drawn as a cursor move
        terminal.send(question + ENTER)
        answered = terminal.read_until(r"1:05 p\.m\.", timeout=60)
        prompt = terminal.read_until(r"you>", timeout=30, start=answered.end())
        terminal.drain(0.5)
        terminal.send(UP)
        terminal.read_until(re.escape(question), timeout=10, start=prompt.end())
        assert "^[[A" not in terminal.screen

        mark = len(terminal.screen)
        terminal.send(CTRL_C)
        terminal.read_until(r"you>", timeout=10, start=mark)
        terminal.drain(0.5)
        assert terminal.alive(), terminal.screen[-2000:]

        mark = len(terminal.screen)
        terminal.send(CTRL_D)
        terminal.read_until(r"Goodbye\.", timeout=10, start=mark)
        assert terminal.wait(timeout=30) == 0
        assert "Traceback" not in terminal.screen and "WARNING" not in terminal.screen
        assert question in (tmp_path / "data" / "chat_history").read_text()
    finally:
        terminal.close()

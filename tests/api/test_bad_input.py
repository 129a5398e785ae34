"""Bad input, and what the user gets: each case here is a row of docs/bad-input.md."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import JSON_BODY_LIMIT, create_app
from index.commands import run_ingest
from rag.settings import Settings
from tests.support.documents import make_pdf
from tests.support.paths import SEEDS
from tests.support.servers import UvicornThread

QUESTION = "When was the pipe bomb discovered?"


@pytest.fixture(scope="module")
def client(tmp_path_factory, real_embedder):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("bad") / "data", chroma_url=None, collection="default",
        index={"embed_backend": "torch"}, api={"max_upload_mb": 1, "max_batch_files": 5, "rate_limit_per_minute": 0},
    )
    run_ingest(settings, [SEEDS])
    with TestClient(create_app(settings, real_embedder)) as test_client:
        yield test_client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    return error


# -- questions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"question": None}, "question: Input should be a valid string", id="null-question"),
        pytest.param({"question": ["a"]}, "question: Input should be a valid string", id="list-question"),
        pytest.param({"question": "ok?", "top_k": "many"}, "top_k", id="top_k-not-a-number"),
        pytest.param({"question": "ok?", "top_k": 2.5}, "top_k", id="top_k-fraction"),
        pytest.param({"question": "ok?", "filters": {"sources": "x"}}, "filters.sources: Input should be a valid list", id="sources-not-a-list"),
        pytest.param({"question": "ok?", "filters": {"date_to": "2024-02-30"}}, "date_to must be a date", id="impossible-date"),
        pytest.param({"question": "ok?", "stream": "perhaps"}, "stream", id="stream-not-a-boolean"),
        pytest.param({"question": "ok?", "top_k": True}, "top_k: Value error, must be a whole number, not true or false", id="top_k-a-boolean"),
        pytest.param([1, 2], "body: Input should be a valid dictionary", id="body-not-an-object"),
    ],
)
def test_wrong_types_are_422(client, body, fragment):
    assert fragment in error_of(client.post("/v1/ask", json=body), 422)["message"]


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        pytest.param("When was the pipe\x00 bomb found?", "control character U+0000 at position 17", id="NUL"),
        pytest.param("When was it \x1b[31mfound?", "control character U+001B", id="ANSI-escape"),
        pytest.param("\u200b\u200d\ufeff", "only invisible characters", id="zero-width-only"),
        pytest.param("\u202e\u200f", "only invisible characters", id="direction-marks-only"),
    ],
)
def test_control_and_invisible_only_questions_are_422(client, question, fragment):
    assert fragment in error_of(client.post("/v1/ask", json={"question": question}), 422)["message"]


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("When was the pipe\u200b bomb\u200d discovered?", id="zero-width-inside-words"),
        pytest.param("\u202eWhen was the pipe bomb discovered?", id="right-to-left-override"),
        pytest.param("When was the pipe bomb\tdiscovered?\r\n", id="tab-and-line-breaks"),
    ],
)
def test_invisible_characters_inside_a_question_still_answer(client, question):
    answer = client.post("/v1/ask", json={"question": question}).json()
    assert "1:05 p.m." in answer["answer"]


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("متى تم اكتشاف القنبلة الأنبوبية؟", id="arabic-right-to-left"),
        pytest.param("パイプ爆弾はいつ発見されましたか", id="japanese"),
        pytest.param("Когда нашли bomb? 🔥 ¿cuándo?", id="mixed-scripts-and-emoji"),
    ],
)
def test_other_scripts_answer_or_abstain_never_fail(client, question):
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200
    answer = response.json()
    assert answer["question"] == question, "the question comes back exactly as sent"
    assert answer["abstained"] or answer["citations"]


def test_numeric_strings_are_read_as_numbers(client):
    assert client.post("/v1/ask", json={"question": QUESTION, "top_k": "3"}).status_code == 200


def test_form_encoded_or_plain_text_body_is_422(client):
    assert "body" in error_of(client.post("/v1/ask", data={"question": QUESTION}), 422)["message"]
    plain = client.post("/v1/ask", content=b'{"question": "x"}', headers={"content-type": "text/plain"})
    assert error_of(plain, 422)["code"] == "invalid_input"


def test_json_body_over_the_limit_is_413(client):
    body = b'{"question": "' + b"a" * (JSON_BODY_LIMIT + 10) + b'"}'
    assert error_of(client.post("/v1/ask", content=body, headers={"content-type": "application/json"}), 413)["code"] == "request_too_large"


def test_chat_message_with_control_characters_is_422(client):
    response = client.post("/v1/chat", json={"messages": [{"role": "user", "content": "hi\x07"}]})
    assert "messages.0.content" in error_of(response, 422)["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/v1/ask", b'{"question": "\\ud800 when was it?"}', id="ask"),
        pytest.param("/v1/ask", b'{"question": "\\udcff when?", "stream": true}', id="ask-streamed"),
        pytest.param("/v1/ask", b'{"question": "when?", "filters": {"sources": ["\\udfff"]}}', id="source-filter"),
        pytest.param("/v1/chat", b'{"messages": [{"role": "user", "content": "where? \\ud83d"}]}', id="chat"),
        pytest.param("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "\\ude00"}]}', id="chat-completions"),
    ],
)
def test_lone_surrogates_are_422_not_500(client, path, body):
    """JSON may escape half of a surrogate pair ("\\ud800" alone): Python's parser accepts it, and
    no tokenizer or store can encode the string. Once a 500 with a TypeError from the tokenizer."""
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    error = error_of(response, 422)
    assert error["code"] == "invalid_input" and "unpaired surrogate" in error["message"], error
    assert client.post("/v1/ask", json={"question": QUESTION}).status_code == 200  # and the server answers on


def test_chat_completions_take_openai_text_parts(client):
    parts = [{"type": "text", "text": "What time was the pipe bomb"}, {"type": "text", "text": "discovered?"}]
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": parts}]})
    assert response.status_code == 200, response.text
    assert "1:05 p.m." in response.json()["choices"][0]["message"]["content"]
    image = [{"type": "image_url", "image_url": {"url": "http://example.invalid/x.png"}}]
    error = error_of(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": image}]}), 422)
    assert "only text parts are supported" in error["message"] and "'image_url'" in error["message"]
    assert error_of(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": []}]}), 422)["code"] == "invalid_input"


def test_an_empty_collection_name_is_refused_not_the_default(client):
    error = error_of(client.post("/v1/ask", json={"question": QUESTION, "collection": ""}), 422)
    assert error["code"] == "invalid_input" and "Invalid collection name ''" in error["message"]
    assert error_of(client.get("/v1/documents?collection="), 422)["code"] == "invalid_input"


def test_wrong_method_is_405(client):
    assert error_of(client.get("/v1/ask"), 405)["code"] == "method_not_allowed"


# -- uploads -------------------------------------------------------------------------------


def upload(client, *files, wait=True, collection="uploads"):
    return client.post(f"/v1/documents?collection={collection}&wait={str(wait).lower()}", files=[("files", f) for f in files])


def skipped_reason(response) -> str:
    assert response.status_code == 201, response.text
    [skipped] = response.json()["result"]["skipped"]
    return skipped["reason"]


def zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(3):
            archive.writestr(f"pad{i}.bin", b"\0" * (200 * 2**20))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("empty.txt", b"", "empty file", id="empty-file"),
        pytest.param("blank.md", b"\n \n", "no text", id="whitespace-only"),
        pytest.param("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary content", id="binary-called-txt"),
        pytest.param("latin1.txt", "caf\u00e9".encode("latin-1"), "not UTF-8", id="not-utf8"),
        pytest.param("broken.pdf", b"%PDF-1.4\n1 0 obj garbage", "could not parse the PDF", id="pdf-that-fails-to-parse"),
        pytest.param("scan.pdf", make_pdf([]), "no extractable text", id="pdf-without-text"),
        pytest.param("fake.docx", b"plain text, not a zip", "not a zip archive", id="mislabelled-docx"),
        pytest.param("bomb.docx", zip_bomb_docx(), "zip bomb", id="zip-bomb"),
        pytest.param("page.html", b"<html><body><p style='display:none'>hidden</p></body></html>", "no text", id="html-with-only-hidden-text"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(client, name, data, reason):
    assert reason in skipped_reason(upload(client, (name, data, "application/octet-stream")))


def test_good_and_bad_files_together_store_the_good_ones(client):
    response = upload(client, ("good.txt", b"The heron nested by the pond.", "text/plain"), ("bad.txt", b"\x00\x01", "text/plain"))
    result = response.json()["result"]
    assert result["added"] + result["unchanged"] == ["upload://good.txt"] and len(result["skipped"]) == 1


def test_unsupported_type_and_bad_names_are_422(client):
    assert error_of(upload(client, ("tool.exe", b"MZ", "application/octet-stream")), 422)["code"] == "unsupported_type"
    assert error_of(upload(client, ("..", b"x", "text/plain")), 422)["code"] == "unsupported_type"


def test_no_files_or_too_many_files_is_422(client):
    assert "files: Field required" in error_of(client.post("/v1/documents"), 422)["message"]
    many = [(f"n{i}.txt", b"x", "text/plain") for i in range(6)]
    assert "at most 5 files per upload, got 6" in error_of(upload(client, *many), 422)["message"]


def test_upload_over_the_limit_is_413(client):
    over = 2**20 + 1
    assert error_of(upload(client, ("big.txt", b"a" * over, "text/plain")), 413)["code"] == "upload_too_large"


def test_huge_upload_is_refused_before_it_is_read(client, real_embedder):
    """A body whose Content-Length is over the limit is refused at once; a chunked body (no
    Content-Length) as soon as it passes the limit, so a huge upload never fills memory or disk.
    Over real HTTP: the in-process client would read the whole body before the app sees it."""
    declared = client.post("/v1/documents", content=b"x" * (3 * 2**20), headers={"content-type": "multipart/form-data; boundary=b"})
    assert error_of(declared, 413)["code"] == "request_too_large"
    sent = []

    def endless():
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n'
        for _ in range(1000):  # 1 GiB if it were all read
            sent.append(1)
            yield b"y" * 2**20

    with UvicornThread(create_app(client.app.state.rag.settings, real_embedder)) as server:
        try:
            chunked = httpx.post(f"{server.url}/v1/documents", content=endless(), headers={"content-type": "multipart/form-data; boundary=b"}, timeout=60)
            assert error_of(chunked, 413)["code"] == "request_too_large"
        except httpx.TransportError:
            pass  # the server closed the connection while the client was still sending: also refused
    assert len(sent) < 100, f"the server stopped reading soon after the limit, not after {len(sent)} MiB"


def test_broken_multipart_is_400(client):
    response = client.post("/v1/documents", content=b"garbage", headers={"content-type": "multipart/form-data; boundary=xx"})
    assert error_of(response, 400)["code"] == "bad_request"


@pytest.mark.parametrize(
    "name",
    [pytest.param("../../etc/evil.txt", id="dot-dot"), pytest.param("/etc/evil.txt", id="absolute"), pytest.param("..\\..\\evil.txt", id="backslashes"),
     pytest.param("C:\\Windows\\evil.txt", id="drive-letter")],
)
def test_path_traversal_in_file_names_keeps_the_base_name(client, name):
    result = upload(client, (name, b"Evil text.", "text/plain"), collection="paths").json()["result"]
    assert result["added"] + result["unchanged"] == ["upload://evil.txt"]


# -- ids and collections -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v1/documents/..%2F..%2Fetc%2Fpasswd", id="encoded-traversal-id"),
        pytest.param("/v1/documents/ffffffffffffffff", id="unknown-document-id"),
        pytest.param("/v1/jobs/..%2Fnope", id="traversal-job-id"),
        pytest.param("/v1/jobs/nope", id="unknown-job-id"),
    ],
)
def test_unknown_or_traversal_ids_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("request_args", "code"),
    [
        pytest.param(("GET", "/v1/documents?collection=nope"), "unknown_collection", id="list-unknown-collection"),
        pytest.param(("DELETE", "/v1/documents/abc?collection=nope"), "unknown_collection", id="delete-in-unknown-collection"),
        pytest.param(("GET", "/v1/documents?collection=..%2Fetc"), "invalid_input", id="traversal-collection-name"),
        pytest.param(("GET", "/v1/documents?collection=default__docs"), "invalid_input", id="registry-collection-name"),
        pytest.param(("GET", "/v1/documents?collection=default__texts"), "invalid_input", id="texts-collection-name"),
    ],
)
def test_unknown_or_invalid_collections_are_422(client, request_args, code):
    method, url = request_args
    assert error_of(client.request(method, url), 422)["code"] == code


def test_ask_an_unknown_collection_names_the_ones_there_are(client):
    error = error_of(client.post("/v1/ask", json={"question": QUESTION, "collection": "nwes"}), 422)
    assert error["code"] == "unknown_collection" and "Available: " in error["message"] and "default" in error["message"]

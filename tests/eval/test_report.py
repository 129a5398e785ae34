"""report.html from its Jinja2 template: every part rendered, whatever a question holds escaped."""

from __future__ import annotations

from eval.report import headline_rows, render_html, write_reports


def _run() -> tuple[dict, dict, dict]:
    rows = [
        {"id": "q-1", "question": "Who wrote <script>alert('x')</script>?", "answerable": True,
         "answer": "Ada & <b>Grace</b>", "problem": "", "answerability": 0.8, "would_be_correct": True,
         "citations": [{"id": 1, "source": "notes.txt", "start_char": 0, "end_char": 12}], "timings_ms": {"total": 40.0},
         "baseline": {"answer": "<i>someone</i>"}},
        {"id": "q-2", "question": "Where is the office?", "answerable": False, "answer": "", "answerability": 0.1,
         "problem": "answered an unanswerable question", "would_be_correct": False, "citations": [],
         "timings_ms": {"total": 10.0}, "baseline": {"answer": ""}},
    ]
    result = {"dataset": "seed", "split": "dev", "config_fingerprint": "abc123", "threshold": 0.5, "corpus": {},
              "rows": rows, "baseline": True}
    summary = {"questions": 2, "answerable": 1, "unanswerable": 1, "ours": {"answers": {"accuracy": 1.0}},
               "baseline": {"answers": {"accuracy": 0.0}}}
    env = {"python": "3.11", "embed_model": "all-MiniLM-L6-v2", "embed_backend": "onnx-int8", "packages": {}}
    return result, summary, env


def test_the_html_report_renders_its_tables_charts_and_questions(tmp_path):
    result, summary, env = _run()
    write_reports(result, summary, env, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.endswith("</body></html>")
    assert "<h1>Evaluation: seed (dev)</h1>" in page
    assert "<tr><td>answers.accuracy</td><td>1.000</td><td>0.000</td></tr>" in page
    assert 'aria-label="accuracy against coverage"' in page and 'aria-label="latency distribution"' in page
    assert "total latency, ms (0 to 40)" in page and page.count('fill="#3a8f5c"') == 20
    assert "<th>baseline</th>" in page and "<tr class='bad'><td>q-2</td>" in page
    assert "<td>[1] notes.txt 0-12</td><td>0.80</td>" in page
    assert "abstention threshold 0.500; model all-MiniLM-L6-v2 (onnx-int8)" in page


def test_what_a_question_or_answer_holds_is_escaped():
    result, summary, env = _run()
    page = render_html(result, summary, env, headline_rows(summary))
    assert "<script>" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Ada &amp; &lt;b&gt;Grace&lt;/b&gt;" in page and "&lt;i&gt;someone&lt;/i&gt;" in page


def test_a_run_without_questions_or_baseline_still_renders():
    result, summary, env = _run()
    result.update(rows=[], baseline=False, split=None)
    page = render_html(result, summary, env, [])
    assert "<h1>Evaluation: seed</h1>" in page and "<th>what went wrong</th></tr></table>" in page
    assert "<h2>Latency</h2>\n<h2>Questions</h2>" in page

"""A changelog's release heading read as the sentence it stands for (rag/releases.py)."""

from __future__ import annotations

import pytest

from rag.releases import release_reading


@pytest.mark.parametrize(
    ("heading", "reading", "skip"),
    [
        ("## 2.4.0 (2024-03-02)", "Version 2.4.0 was released on 2024-03-02.", 3),
        ("## [1.2.0] - 2024-03-02", "Version 1.2.0 was released on 2024-03-02.", 3),
        ("v3.1 \u2014 2 May 2026", "Version 3.1 was released on 2 May 2026.", 0),
        ("Version 2.4.0, released 2 March 2024", "Version 2.4.0 was released on 2 March 2024.", 0),
        ("# v1.0.0 - March 3, 2021", "Version 1.0.0 was released on March 3, 2021.", 2),
    ],
)
def test_a_release_heading_reads_as_when_the_version_came_out(heading, reading, skip):
    assert release_reading(heading) == (reading, skip)


@pytest.mark.parametrize("heading", ["## Options", "### Added", "## 2019 results (2020-01-01)", "## 2.4.0", "3.2 Methods"])
def test_other_headings_are_no_releases(heading):
    assert release_reading(heading) is None

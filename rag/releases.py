"""A changelog's release heading, read as the sentence it stands for.

Release notes give each version's date only in its heading: "## 2.4.0 (2024-03-02)", "## [1.2.0] -
2024-03-02" (Keep a Changelog), "v3.1 — 2 May 2026", "Version 2.4.0, released 2 March 2024". A
heading is never an answer (it names the section below it), so "When was version 2.4.0
released?" was declined though the notes say it. Such a heading is a candidate of its own, read
as "Version 2.4.0 was released on 2024-03-02." and matched by the words a question asks a
release date with; the answer quotes the heading's text after its "#" marks, exactly.
"""

from __future__ import annotations

import re

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
         rf"|\d{{4}}/\d{{2}}/\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})")
_RELEASE = re.compile(
    rf"(?P<marks>#{{1,6}}[ \t]+)?\[?(?:(?:[Vv]ersion|[Rr]elease|[Vv])[ \t]*)?(?P<version>\d+(?:\.\d+)+(?:[-.]?[a-z]+\d*)?)\]?"
    rf"[ \t]*(?:[-\u2013\u2014:,(][ \t]*)?(?:(?:released|release date:?|on)[ \t]+)?(?P<date>{_DATE})\)?[ \t#]*$"
)
# The words a question asks for a release's date with, matched as if the heading held them.
ASKED_AS = "released release version when date came out shipped published"


def release_reading(heading: str) -> tuple[str, int] | None:
    """For a release heading, the sentence it stands for and where its text starts after any
    "#" marks; None for any other line."""
    match = _RELEASE.fullmatch(heading.strip())
    if match is None:
        return None
    skip = len(heading) - len(heading.lstrip()) + len(match.group("marks") or "")
    return f"Version {match.group('version')} was released on {match.group('date')}.", skip

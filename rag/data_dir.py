"""Where local state lives when RAG_DATA_DIR does not say.

As git finds `.git`: the nearest `.rag` folder in the current directory or one above it (a
project's own index, where earlier versions always put it); otherwise the user's data
directory by the platform's convention (`~/.local/share/grounded-rag` on Linux or
`$XDG_DATA_HOME/grounded-rag`, `~/Library/Application Support/grounded-rag` on macOS,
`%LOCALAPPDATA%\\grounded-rag` on Windows), the same from any folder.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = ".rag"
APP_NAME = "grounded-rag"


def project_data_dir(start: Path | None = None) -> Path | None:
    """The nearest `.rag` folder at or above `start` (the current directory), or None."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_DIR
        if candidate.is_dir():
            return candidate
    return None


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_data_dir() -> Path:
    """`project_data_dir()` when there is one, else `user_data_dir()`."""
    return project_data_dir() or user_data_dir()

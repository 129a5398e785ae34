"""The answerer's fitted models, as `rag eval calibrate` writes them to `rag/calibration.json`:
the sentence selector, the answerability model and its threshold, and how the reader joins in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.errors import ConfigError

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
THRESHOLD_PLACES = 4  # decimal places the file keeps of the abstention threshold


@dataclass(frozen=True)
class LinearModel:
    """Standardised logistic regression: sigmoid(((clip(x) - mean) / std) . coef + intercept).

    `low` and `high`, where set, bound each feature to the range the fit saw: a value beyond
    it (a corpus of two documents gives margins calibration never met) counts as the bound,
    so a coefficient is never extrapolated."""

    features: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    coef: np.ndarray
    intercept: float
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "LinearModel":
        bounds = [np.array(data[k]) if k in data else None for k in ("low", "high")]
        return cls(
            tuple(data["features"]), np.array(data["mean"]), np.array(data["std"]),
            np.array(data["coef"]), float(data["intercept"]), *bounds,
        )

    def as_dict(self) -> dict:
        data = {
            "features": list(self.features), "mean": self.mean.round(6).tolist(),
            "std": self.std.round(6).tolist(), "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6),
        }
        if self.low is not None and self.high is not None:
            data.update(low=self.low.round(6).tolist(), high=self.high.round(6).tolist())
        return data

    def logits(self, rows: np.ndarray) -> np.ndarray:
        if self.low is not None and self.high is not None:
            rows = np.clip(rows, self.low, self.high)
        return ((rows - self.mean) / self.std) @ self.coef + self.intercept


@dataclass(frozen=True)
class ReaderStage:
    """How the reader joins in: it reads the selector's `candidates` best sentences, the
    `ranker` orders them on (selector logit, reader logit), and a second sentence joins the
    answer only when its reader logit reaches `second_reader`."""

    candidates: int
    ranker: LinearModel
    second_reader: float
    model: str  # the reader's version (`rag.reader.model_version`) it was calibrated with

    def as_dict(self) -> dict:
        return {"candidates": self.candidates, "ranker": self.ranker.as_dict(),
                "second_reader": round(self.second_reader, 4), "model": self.model}


@dataclass(frozen=True)
class Calibration:
    selector: LinearModel
    answerable: LinearModel
    threshold: float
    second_ratio: float
    reader: ReaderStage | None = None

    def as_dict(self, extra: dict | None = None) -> dict:
        return {
            "version": 2 if self.reader else 1,
            "selector": self.selector.as_dict(),
            "answerable": self.answerable.as_dict(),
            "threshold": round(self.threshold, THRESHOLD_PLACES),
            "second_ratio": self.second_ratio,
            **({"reader": self.reader.as_dict()} if self.reader else {}),
            **(extra or {}),
        }


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stage = data.get("reader")
        reader = ReaderStage(
            int(stage["candidates"]), LinearModel.from_dict(stage["ranker"]), float(stage["second_reader"]),
            str(stage["model"]),
        ) if stage else None
        return Calibration(
            LinearModel.from_dict(data["selector"]), LinearModel.from_dict(data["answerable"]),
            float(data["threshold"]), float(data["second_ratio"]), reader,
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"Cannot load the answer calibration {path} ({exc}). Reinstall the package, or "
            "regenerate it with `rag eval calibrate`."
        ) from None

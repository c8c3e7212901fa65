"""What was fitted for a reward model on its validation data, shipped beside it as data: the
confidence calibration and the adaptive search's thresholds (`bon_calibration.json`, written by
`bon eval --strategy adaptive`).

A reward model with no such file still serves: confidence is then the vote share (and says it is
not calibrated), and the search runs on the built-in rules. Settings given explicitly
(`BON_ADAPTIVE__*`) override the fitted rules one by one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.config import AdaptiveSettings, Settings
from app.core.adaptive import Strategy
from app.core.aggregate import Aggregation
from app.core.confidence import FEATURES, Calibration
from app.core.select import Selection
from app.errors import ConfigurationError
from app.json_files import parse_json_file, read_json_file

CALIBRATION_FILE = "bon_calibration.json"
log = logging.getLogger(__name__)


class CalibrationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coefficients: dict[Literal[FEATURES], float]  # type: ignore[valid-type]
    intercept: float
    selection: Selection
    aggregation: Aggregation
    max_votes: int | None = None
    strategies: tuple[Strategy, ...] = Field(
        default=("fixed", "adaptive"), description="The strategies whose answers the fit saw; others are uncalibrated."
    )
    checkers: tuple[str, ...] = Field(
        default=(), description="The step checkers that capped the scores the fit saw; under others, uncalibrated."
    )

    def calibration(self) -> Calibration:
        return Calibration(
            dict(self.coefficients),
            self.intercept,
            self.selection,
            self.aggregation,
            self.max_votes,
            self.strategies,
            self.checkers,
        )


class FittedFile(BaseModel):
    """The file's schema."""

    model_config = ConfigDict(extra="forbid")

    fitted_on: str = Field(description="What data the fit saw, and the command that made it.")
    confidence: CalibrationSpec | None = None
    more_confidence: list[CalibrationSpec] = Field(
        default_factory=list,
        description="Calibrations fitted under other step checkers; the first that applies is used.",
    )
    search: AdaptiveSettings | None = None


@dataclass(frozen=True, slots=True)
class Fitted:
    calibration: Calibration | None
    search: AdaptiveSettings  # the fitted rules under any explicit settings, or the settings' own
    source: str | None  # the file read, None when there was none
    more_calibrations: tuple[Calibration, ...] = ()  # fitted under other step checkers

    @property
    def calibrations(self) -> tuple[Calibration, ...]:
        return (self.calibration, *self.more_calibrations) if self.calibration else self.more_calibrations


def parse_fitted(raw: str, source: str) -> FittedFile:
    return parse_json_file(FittedFile, raw, source, ConfigurationError)


def read_fitted_file(path: Path) -> FittedFile:
    return read_json_file(FittedFile, path, "calibration file", ConfigurationError)


def load_fitted(settings: Settings) -> Fitted:
    """The calibration file named by `BON_CALIBRATION`, else the PRM's own (a local model
    directory's, or a hub model's where it ships one), else none."""
    path = settings.calibration
    text: FittedFile | None = None
    if path == "none":
        return Fitted(None, settings.adaptive, None)
    if path is not None:
        text = read_fitted_file(path)
        source: str | None = str(path)
    else:
        try:
            raw = settings.prm.read_text(CALIBRATION_FILE)
        except OSError as exc:  # a hub model, with the hub out of reach: it serves uncalibrated
            log.warning("could not look for %s beside %s: %s", CALIBRATION_FILE, settings.prm.name, exc)
            raw = None
        source = f"{settings.prm.name}/{CALIBRATION_FILE}" if raw is not None else None
        if raw is not None and source is not None:
            text = parse_fitted(raw, source)
    try:
        calibration = text.confidence.calibration() if text and text.confidence else None
        more = tuple(spec.calibration() for spec in text.more_confidence) if text else ()
    except ValueError as exc:
        raise ConfigurationError(f"{source} holds an unusable calibration: {exc}") from exc
    search = merged_search(settings.adaptive, text.search if text else None)
    return Fitted(calibration, search, source, more)


def merged_search(explicit: AdaptiveSettings, fitted: AdaptiveSettings | None) -> AdaptiveSettings:
    """The fitted rules, with each field the settings set explicitly taken from the settings."""
    if fitted is None:
        return explicit
    return fitted.model_copy(update={name: getattr(explicit, name) for name in explicit.model_fields_set})

"""What was fitted for a reward model, read as data: the calibration file beside the PRM, the
settings that override it, and the shipped model's own file."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from app.config import SHIPPED_MODELS, AdaptiveSettings, Settings
from app.core.confidence import FEATURES, Calibration, confidence_of
from app.core.select import ScoredChain, select
from app.errors import ConfigurationError
from app.fitted import CALIBRATION_FILE, load_fitted, read_fitted_file
from app.formats.resolve import load_preset

FILE = {
    "fitted_on": "a test",
    "confidence": {
        "coefficients": {"logit_winner_score": 0.5, "out_of_domain": -5.0},
        "intercept": -1.0,
        "selection": "prm_weighted_vote",
        "aggregation": "min",
    },
    "search": {"wave": 2, "prune_floor": 0.3, "stop_margin": 0.5},
}


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / CALIBRATION_FILE
    path.write_text(json.dumps(content))
    return path


def test_a_file_named_in_settings_gives_the_calibration_and_the_search_rules(tmp_path: Path) -> None:
    fitted = load_fitted(Settings(calibration=write(tmp_path, FILE)))
    assert fitted.calibration is not None and fitted.calibration.intercept == -1.0
    assert (fitted.search.wave, fitted.search.prune_floor, fitted.search.stop_margin) == (2, 0.3, 0.5)
    assert fitted.search.stop_share == AdaptiveSettings().stop_share  # what the file leaves out: built in


def test_settings_given_explicitly_override_the_fitted_rules_one_by_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BON_ADAPTIVE__WAVE", "8")
    fitted = load_fitted(Settings(calibration=write(tmp_path, FILE)))
    assert (fitted.search.wave, fitted.search.prune_floor) == (8, 0.3)


def test_the_prms_own_file_is_read_unless_settings_say_none(tmp_path: Path) -> None:
    write(tmp_path, FILE)
    assert load_fitted(Settings(prm_model=str(tmp_path))).calibration is not None
    off = load_fitted(Settings(prm_model=str(tmp_path), calibration="none"))
    assert off.calibration is None and off.search == AdaptiveSettings() and off.source is None
    assert load_fitted(Settings(prm_model=str(tmp_path / "elsewhere"))).calibration is None


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ({"fitted_on": "x", "confidence": {"coefficients": {"vibes": 1}}}, "vibes"),
        ({"fitted_on": "x", "search": {"wave": 0}}, "wave"),
        ({"fitted_on": "x", "surprise": 1}, "surprise"),
        ("not an object", "object"),
    ],
)
def test_a_broken_file_is_a_configuration_error_that_names_the_problem(tmp_path: Path, content, needle) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        read_fitted_file(write(tmp_path, content))
    with pytest.raises(ConfigurationError, match=needle):
        load_fitted(Settings(prm_model=str(tmp_path)))


def test_the_shipped_prm_ships_a_calibration_that_behaves_as_a_confidence_should() -> None:
    """The fit (bon eval --strategy checks) must have learned what a confidence needs: sixteen
    agreeing chains the PRM approves are very likely right, the same out of the generator's domain
    are not, an answer whose best chain has a step the PRM rejects is a guess (unless the task's own
    grammar checked every step: then the PRM's doubt says little), and one whose every chain has a
    step found false is no answer to trust. The default is fitted under the checkers the shipped
    format declares; each other set has its own."""
    fitted = read_fitted_file(SHIPPED_MODELS / "arith-prm" / CALIBRATION_FILE)
    assert fitted.confidence is not None and fitted.search is not None
    assert set(fitted.confidence.coefficients) == set(FEATURES)
    default = fitted.confidence.calibration()
    assert set(default.checkers) == set(load_preset("arith").generator.checkers)  # type: ignore[union-attr]
    calibrations = {frozenset(c.checkers): c for c in (default, *(s.calibration() for s in fitted.more_confidence))}
    assert set(calibrations) == {frozenset(), frozenset({"numeric"}), frozenset({"numeric", "arith"})}

    approved = [ScoredChain("243", 0.999, None)] * 16
    rejected = [ScoredChain("243", 0.01, None)] * 4 + [ScoredChain("233", 0.005, None)] * 4
    split = [ScoredChain("243", 0.99, None)] * 8 + [ScoredChain("233", 0.99, None)] * 7
    vetoed = [ScoredChain("243", 0.0, None)] * 16
    for checkers, calibration in calibrations.items():
        confidence = partial(_confidence, calibration=calibration, checkers=checkers)
        assert confidence(approved) > 0.9, checkers
        assert confidence(approved, in_domain=False) < 0.5, checkers  # well below any verified threshold
        assert confidence(split) < confidence(approved), checkers
        if checkers:
            assert confidence(vetoed, failed=True) < 0.05, checkers
        if "arith" not in checkers:
            assert confidence(rejected) < 0.5, checkers


def _confidence(
    ballots: list[ScoredChain],
    calibration: Calibration,
    checkers: frozenset[str],
    in_domain: bool = True,
    failed: bool = False,
) -> float:
    result = select(ballots, "prm_weighted_vote")
    flags = [failed] * len(ballots)
    return confidence_of(ballots, result, calibration, "min", in_domain, "fixed", flags, tuple(checkers)).value


def test_the_environment_turns_the_calibration_off_or_leaves_it_unset(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, FILE)
    monkeypatch.setenv("BON_PRM_MODEL", str(tmp_path))
    monkeypatch.setenv("BON_CALIBRATION", "none")
    assert load_fitted(Settings()).calibration is None
    monkeypatch.setenv("BON_CALIBRATION", "")  # an empty variable, as compose writes one: unset
    assert load_fitted(Settings()).calibration is not None

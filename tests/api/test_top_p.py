"""`top_p` from each dialect's request to the generator and into the audit record; refused out of
(0, 1] with the parameter named. (The real engines honour it in tests/e2e/test_top_p.py.)"""

from __future__ import annotations

import pytest

from app.audit.layout import params_of
from app.audit.record import solve_content
from tests.fakes import PROBLEM, FakeGenerator, fake_app, fake_engines

MODEL = "arith-generator"
BODIES = {
    "/solve": {"problem": PROBLEM, "n": 3},
    "/v1/chat/completions": {"model": MODEL, "messages": [{"role": "user", "content": PROBLEM}]},
    "/v1/responses": {"model": MODEL, "input": PROBLEM},
}


@pytest.mark.parametrize("path", BODIES)
def test_each_dialect_passes_top_p_to_the_generator(path: str) -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(generator=gen)) as app:
        assert app.client.post(path, json=BODIES[path] | {"top_p": 0.25}).status_code == 200
        assert app.client.post(path, json=BODIES[path]).status_code == 200
    assert [r.top_p for r in gen.requests] == [0.25, 1.0]  # left out: 1, nucleus sampling off
    assert gen.requests[0].engine_fields()["top_p"] == 0.25


@pytest.mark.parametrize("top_p", [0, -0.5, 1.01, "most"])
@pytest.mark.parametrize(("path", "status"), [("/solve", 422), ("/v1/chat/completions", 400)])
def test_top_p_outside_zero_to_one_is_refused_naming_it(path: str, status: int, top_p: object) -> None:
    with fake_app() as app:
        r = app.client.post(path, json=BODIES[path] | {"top_p": top_p})
    assert r.status_code == status and "top_p" in r.json()["error"]["message"]


def test_a_continuation_samples_with_the_first_answers_top_p() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(generator=gen)) as app:
        first = app.client.post("/solve", json=BODIES["/solve"] | {"top_p": 0.5}).json()
        assert app.client.post(f"/solve/{first['request_id']}/continue", json={}).status_code == 200
    assert {r.top_p for r in gen.requests} == {0.5}


def test_the_audit_record_keeps_top_p_and_an_older_record_reads_as_sampled_in_full() -> None:
    from tests.audit.test_record import outcome

    solved = outcome()
    content = solve_content(solved, stored=True)
    assert content["params"]["top_p"] == solved.params.top_p == 1.0
    assert params_of(content) == solved.params
    older = {**content, "params": {k: v for k, v in content["params"].items() if k != "top_p"}}
    older.pop("schema_version")
    assert params_of(older).top_p == 1.0

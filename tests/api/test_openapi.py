"""The committed openapi.json is the app's spec, and the spec is documented as a contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.api.openapi import SPEC_PATH, render, undocumented_fields
from app.config import Settings
from app.main import create_app


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def test_the_committed_spec_is_the_apps(spec: dict[str, Any]) -> None:
    assert SPEC_PATH.read_text() == render(spec), "openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_has_a_stable_id_a_summary_and_the_error_envelope(spec: dict[str, Any]) -> None:
    ids = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            ids.append(op["operationId"])
            assert op.get("summary") or op.get("description"), f"{method} {path} has no summary"
            if method == "post":
                failures = {code: r for code, r in op["responses"].items() if code[0] in "45"}
                assert failures, f"{method} {path} documents no error"
                envelope = "OpenAIError" if path.startswith("/v1/") else "ErrorEnvelope"
                for code, r in failures.items():
                    ref = r["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith(envelope), f"{method} {path} {code} is not the error envelope"
    assert len(ids) == len(set(ids))
    assert {"solve", "health", "ready", "list_models", "create_chat_completion", "create_response"} <= set(ids)


def test_every_field_is_described(spec: dict[str, Any]) -> None:
    assert undocumented_fields(spec) == []


def test_examples_show_a_summary_and_never_a_raw_chain(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    example = schemas["SolveResponse"]["examples"][0]
    assert example["summary"] and "\\n" not in json.dumps(example)
    assert schemas["SolveRequest"]["examples"] and schemas["ChatCompletionRequest"]["examples"]
    for name, schema in schemas.items():
        for field in schema.get("properties", {}):
            assert field not in {"chain", "chains", "raw_chain", "reasoning_content", "cot"}, f"{name}.{field}"


def test_bounds_are_in_the_spec(spec: dict[str, Any]) -> None:
    n = spec["components"]["schemas"]["SolveRequest"]["properties"]["n"]["anyOf"][0]
    assert n["minimum"] == 1 and n["maximum"] == 1024
    problem = spec["components"]["schemas"]["SolveRequest"]["properties"]["problem"]
    assert problem["minLength"] == 1 and problem["maxLength"] == 4000


# Reviewed open mappings: validation errors' details (where and why, never the input), a request's
# content parts, and the engines' states on /ready. A new one needs a look: a raw chain fits in any.
OPEN_MAPPINGS = {
    "ErrorDetail/properties/details/anyOf[0]/items",
    "InputMessage/properties/content/anyOf[1]/items",
    "ReadyOut/properties/engines",
}


def test_no_schema_has_an_open_mapping_a_chain_could_go_into(spec: dict[str, Any]) -> None:
    found = set()

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if node.get("additionalProperties", False) is not False:
                found.add(path)
            for key, value in node.items():
                walk(value, f"{path}/{key}" if path else key)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(spec["components"]["schemas"], "")
    assert found == OPEN_MAPPINGS

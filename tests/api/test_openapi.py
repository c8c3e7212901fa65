"""The committed openapi.json is the app's spec, and the spec is documented as a contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app import errors as domain
from app.api.openapi import SPEC_PATH, render, undocumented_fields
from app.config import Settings
from app.errors import BonError, InvalidRequest, Unauthenticated
from app.main import create_app
from app.web.errors import failure_of


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


def test_every_error_a_client_can_get_has_a_status_and_a_description() -> None:
    errors = [e for e in vars(domain).values() if isinstance(e, type) and issubclass(e, BonError)]
    for error in errors:
        if error is not BonError:
            assert failure_of(error).status != 500, f"{error.__name__} has no row in app.web.errors.FAILURES"


def test_an_error_is_described_alike_in_both_dialects(spec: dict[str, Any]) -> None:
    def described(path: str, method: str, status: str) -> str:
        return str(spec["paths"][path][method]["responses"][status]["description"])

    invalid = failure_of(InvalidRequest).description
    assert described("/solve", "post", "422") == described("/v1/chat/completions", "post", "400") == invalid
    unauthenticated = failure_of(Unauthenticated).description
    assert described("/solve", "post", "401") == described("/v1/models", "get", "401") == unauthenticated
    assert described("/admin/traces", "get", "401") == unauthenticated


def test_every_field_is_described(spec: dict[str, Any]) -> None:
    assert undocumented_fields(spec) == []


def referenced(node: object) -> set[str]:
    """The component schemas a part of the spec refers to, at any depth."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= referenced(value)
    elif isinstance(node, list):
        for value in node:
            found |= referenced(value)
    return found


def reachable(spec: dict[str, Any], paths: list[str]) -> set[str]:
    schemas = spec["components"]["schemas"]
    todo = set().union(*(referenced(spec["paths"][p]) for p in paths))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo |= referenced(schemas[name])
    return seen


def admin_only(spec: dict[str, Any]) -> set[str]:
    """The schemas only the admin routes use: the one place the hidden chains may be read."""
    admin = [p for p in spec["paths"] if p.startswith("/admin/")]
    public = [p for p in spec["paths"] if not p.startswith("/admin/")]
    return reachable(spec, admin) - reachable(spec, public)


def test_the_audit_records_schemas_are_the_admin_routes_alone(spec: dict[str, Any]) -> None:
    assert {"TraceRecord", "TraceOut", "TraceListOut"} <= admin_only(spec)
    example = spec["components"]["schemas"]["TraceRecord"]["examples"][0]
    assert example["stored"] is False and "chains" not in example["content"]  # no example shows a chain
    for path in (p for p in spec["paths"] if p.startswith("/admin/")):
        assert set(spec["paths"][path]["get"]["responses"]) >= {"401", "403", "503"}


def test_examples_show_a_summary_and_never_a_raw_chain(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    example = schemas["SolveResponse"]["examples"][0]
    assert example["summary"] and "\\n" not in json.dumps(example)
    assert schemas["SolveRequest"]["examples"] and schemas["ChatCompletionRequest"]["examples"]
    hidden = admin_only(spec)
    for name, schema in schemas.items():
        if name in hidden:
            continue
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

    hidden = admin_only(spec)
    walk({k: v for k, v in spec["components"]["schemas"].items() if k not in hidden}, "")
    assert found == OPEN_MAPPINGS

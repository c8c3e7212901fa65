"""The OpenAPI spec as a contract: exported to openapi.json at the repository root, and compared
against the app's in a test, so a change to the API shows up as a change to that file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.api.openai_errors import OPENAI_PREFIX, openai_status
from app.errors import BonError, InvalidRequest, Unauthenticated
from app.web.api_keys import OPEN_PATHS
from app.web.errors import failure_of

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.json"


def render(spec: dict[str, Any]) -> str:
    """Stable text: sorted keys, so the file changes only when the API does."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def undocumented_fields(spec: dict[str, Any]) -> list[str]:
    """`Schema.field` for every property without a description (a `$ref` carries its schema's)."""
    missing = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        for field, prop in schema.get("properties", {}).items():
            if "description" not in prop and "$ref" not in prop:
                missing.append(f"{name}.{field}")
    return missing


def _error_response(path: str, error: type[BonError]) -> tuple[str, dict[str, Any]]:
    """The status and response with which the route at `path` documents `error`, in its dialect."""
    failure = failure_of(error)
    openai = path.startswith(OPENAI_PREFIX)
    schema = {"$ref": "#/components/schemas/" + ("OpenAIError" if openai else "ErrorEnvelope")}
    status = openai_status(failure.status) if openai else failure.status
    return str(status), {"description": failure.description, "content": {"application/json": {"schema": schema}}}


def _is_fastapis_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def document_errors(spec: dict[str, Any]) -> None:
    """Errors no route declares: a validation error is answered as an invalid request in the
    route's dialect (never with FastAPI's `HTTPValidationError`), and every route but the open
    ones answers 401 to a call without a valid key (the API key check answers before it runs)."""
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            if _is_fastapis_422(responses.get("422", {})):
                del responses["422"]
                responses.setdefault(*_error_response(path, InvalidRequest))
            if path not in OPEN_PATHS:
                responses.setdefault(*_error_response(path, Unauthenticated))
    schemas = spec.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def install_openapi(app: FastAPI) -> None:
    """Generate the spec once, as FastAPI does, then with every route's errors documented in its
    dialect and the API keys as its security scheme."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()  # kept by FastAPI as app.openapi_schema: completed here in place
        document_errors(spec)
        # API keys (BON_API_KEYS) are bearer tokens; a server without keys takes calls without one.
        spec.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key, when the server has keys."}
        }
        for path, operations in spec["paths"].items():
            for operation in operations.values():
                operation["security"] = [] if path in OPEN_PATHS else [{"apiKey": []}, {}]
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

"""The OpenAPI spec as a contract: exported to openapi.json at the repository root, and compared
against the app's in a test, so a change to the API shows up as a change to that file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

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


def install_openapi(app: FastAPI) -> None:
    """Generate the spec once, with FastAPI's default 422 schema removed: the app's error
    handler answers 422 with the error envelope (and /v1 routes answer 400 in OpenAI's shape),
    never with FastAPI's `HTTPValidationError`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        for path, operations in spec["paths"].items():
            for operation in operations.values():
                responses = operation.get("responses", {})
                default = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
                if default.get("$ref", "").endswith("/HTTPValidationError"):
                    if path.startswith("/v1/"):
                        del responses["422"]
                    else:
                        responses["422"] = {
                            "description": "The request is invalid.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
                        }
        # API keys (BON_API_KEYS) are bearer tokens; a server without keys takes calls without one.
        spec.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key, when the server has keys."}
        }
        for path, operations in spec["paths"].items():
            for operation in operations.values():
                operation["security"] = [] if path == "/health" else [{"apiKey": []}, {}]
                if path != "/health":  # the key check answers before any route does
                    envelope = "OpenAIError" if path.startswith("/v1/") else "ErrorEnvelope"
                    operation["responses"].setdefault(
                        "401",
                        {
                            "description": "No valid API key (when the server has keys).",
                            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{envelope}"}}},
                        },
                    )
        schemas = spec.get("components", {}).get("schemas", {})
        if "HTTPValidationError" not in json.dumps(spec["paths"]):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

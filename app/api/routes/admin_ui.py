"""The trace viewer: one page and its script, shipped in the package, served at `/admin/`.

The page holds no data: it asks the admin routes for records with the admin key the reader types
in, sent as a bearer header (never a cookie, never in a URL), so it can read nothing those routes
would refuse, and every record it opens is a recorded read. A strict Content-Security-Policy
allows only this server's own script, style and API; the script writes chain text as text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse

UI_DIR = Path(__file__).resolve().parent.parent / "admin_ui"
ASSETS = {"viewer.js": "text/javascript", "viewer.css": "text/css"}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("")
async def viewer_root() -> RedirectResponse:
    return RedirectResponse("/admin/")


@router.get("/")
async def viewer() -> FileResponse:
    """The trace viewer's page."""
    return FileResponse(UI_DIR / "index.html", media_type="text/html", headers=HEADERS)


@router.get("/ui/{name}")
async def viewer_asset(name: Annotated[Literal["viewer.js", "viewer.css"], PathParam()]) -> FileResponse:
    """The page's script and style (these two files only)."""
    return FileResponse(UI_DIR / name, media_type=ASSETS[name], headers=HEADERS)

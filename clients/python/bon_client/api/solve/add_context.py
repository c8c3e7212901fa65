from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.context_added import ContextAdded
from ...models.context_request import ContextRequest
from ...models.error_envelope import ErrorEnvelope
from typing import cast



def _get_kwargs(
    request_id: str,
    *,
    body: ContextRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/solve/{request_id}/context".format(request_id=quote(str(request_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ContextAdded | ErrorEnvelope | None:
    if response.status_code == 202:
        response_202 = ContextAdded.from_dict(response.json())



        return response_202

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())



        return response_422

    if response.status_code == 424:
        response_424 = ErrorEnvelope.from_dict(response.json())



        return response_424

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())



        return response_503

    if response.status_code == 504:
        response_504 = ErrorEnvelope.from_dict(response.json())



        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ContextAdded | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    request_id: str,
    *,
    client: AuthenticatedClient,
    body: ContextRequest,

) -> Response[ContextAdded | ErrorEnvelope]:
    """ Add Context

     Add a note to a request streaming now (`/solve` with `stream: true`), from the key that
    asked it: every chain still running reads it at its next step boundary, every chain started
    later before its first step, and the chains that read every note vote alone (those that ended
    before it are set aside, unless no chain reads it through). Progress events count the notes
    and the chains they reached. 404 for a request not streaming here (or another key's), 409 for
    one that has answered (continue it with `context`) or whose chains take no notes.

    Args:
        request_id (str): The answer's request_id.
        body (ContextRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContextAdded | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        request_id=request_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    request_id: str,
    *,
    client: AuthenticatedClient,
    body: ContextRequest,

) -> ContextAdded | ErrorEnvelope | None:
    """ Add Context

     Add a note to a request streaming now (`/solve` with `stream: true`), from the key that
    asked it: every chain still running reads it at its next step boundary, every chain started
    later before its first step, and the chains that read every note vote alone (those that ended
    before it are set aside, unless no chain reads it through). Progress events count the notes
    and the chains they reached. 404 for a request not streaming here (or another key's), 409 for
    one that has answered (continue it with `context`) or whose chains take no notes.

    Args:
        request_id (str): The answer's request_id.
        body (ContextRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContextAdded | ErrorEnvelope
     """


    return sync_detailed(
        request_id=request_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    request_id: str,
    *,
    client: AuthenticatedClient,
    body: ContextRequest,

) -> Response[ContextAdded | ErrorEnvelope]:
    """ Add Context

     Add a note to a request streaming now (`/solve` with `stream: true`), from the key that
    asked it: every chain still running reads it at its next step boundary, every chain started
    later before its first step, and the chains that read every note vote alone (those that ended
    before it are set aside, unless no chain reads it through). Progress events count the notes
    and the chains they reached. 404 for a request not streaming here (or another key's), 409 for
    one that has answered (continue it with `context`) or whose chains take no notes.

    Args:
        request_id (str): The answer's request_id.
        body (ContextRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContextAdded | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        request_id=request_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    request_id: str,
    *,
    client: AuthenticatedClient,
    body: ContextRequest,

) -> ContextAdded | ErrorEnvelope | None:
    """ Add Context

     Add a note to a request streaming now (`/solve` with `stream: true`), from the key that
    asked it: every chain still running reads it at its next step boundary, every chain started
    later before its first step, and the chains that read every note vote alone (those that ended
    before it are set aside, unless no chain reads it through). Progress events count the notes
    and the chains they reached. 404 for a request not streaming here (or another key's), 409 for
    one that has answered (continue it with `context`) or whose chains take no notes.

    Args:
        request_id (str): The answer's request_id.
        body (ContextRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContextAdded | ErrorEnvelope
     """


    return (await asyncio_detailed(
        request_id=request_id,
client=client,
body=body,

    )).parsed

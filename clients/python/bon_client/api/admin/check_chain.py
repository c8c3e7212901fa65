from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.chain_state_out import ChainStateOut
from ...models.error_envelope import ErrorEnvelope
from typing import cast



def _get_kwargs(
    *,
    through_seq: int,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["through_seq"] = through_seq


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/admin/chain",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChainStateOut | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = ChainStateOut.from_dict(response.json())



        return response_200

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())



        return response_403

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())



        return response_422

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ChainStateOut | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    through_seq: int,

) -> Response[ChainStateOut | ErrorEnvelope]:
    """ Check Chain

     Whether the audit store's hash chain holds up to a record (what `bon audit verify` checks).

    Args:
        through_seq (int): Check the hash chain from its start up to this record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChainStateOut | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        through_seq=through_seq,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    through_seq: int,

) -> ChainStateOut | ErrorEnvelope | None:
    """ Check Chain

     Whether the audit store's hash chain holds up to a record (what `bon audit verify` checks).

    Args:
        through_seq (int): Check the hash chain from its start up to this record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChainStateOut | ErrorEnvelope
     """


    return sync_detailed(
        client=client,
through_seq=through_seq,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    through_seq: int,

) -> Response[ChainStateOut | ErrorEnvelope]:
    """ Check Chain

     Whether the audit store's hash chain holds up to a record (what `bon audit verify` checks).

    Args:
        through_seq (int): Check the hash chain from its start up to this record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChainStateOut | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        through_seq=through_seq,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    through_seq: int,

) -> ChainStateOut | ErrorEnvelope | None:
    """ Check Chain

     Whether the audit store's hash chain holds up to a record (what `bon audit verify` checks).

    Args:
        through_seq (int): Check the hash chain from its start up to this record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChainStateOut | ErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,
through_seq=through_seq,

    )).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.list_traces_kind_type_0 import ListTracesKindType0
from ...models.trace_list_out import TraceListOut
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    key_id: None | str | Unset = UNSET,
    kind: ListTracesKindType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    before_seq: int | None | Unset = UNSET,
    limit: int | Unset = 50,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_key_id: None | str | Unset
    if isinstance(key_id, Unset):
        json_key_id = UNSET
    else:
        json_key_id = key_id
    params["key_id"] = json_key_id

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, ListTracesKindType0):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_before_seq: int | None | Unset
    if isinstance(before_seq, Unset):
        json_before_seq = UNSET
    else:
        json_before_seq = before_seq
    params["before_seq"] = json_before_seq

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/admin/traces",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | TraceListOut | None:
    if response.status_code == 200:
        response_200 = TraceListOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | TraceListOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    key_id: None | str | Unset = UNSET,
    kind: ListTracesKindType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    before_seq: int | None | Unset = UNSET,
    limit: int | Unset = 50,

) -> Response[ErrorEnvelope | TraceListOut]:
    """ List Traces

     Records newest first, by key, kind and time (headers only: read one for its content).

    Args:
        key_id (None | str | Unset): Only this key's records.
        kind (ListTracesKindType0 | None | Unset): Only records of this kind.
        since (datetime.datetime | None | Unset): Only records made at or after this time.
        until (datetime.datetime | None | Unset): Only records made before this time.
        before_seq (int | None | Unset): Records before this seq (the next page).
        limit (int | Unset): Records per page. Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TraceListOut]
     """


    kwargs = _get_kwargs(
        key_id=key_id,
kind=kind,
since=since,
until=until,
before_seq=before_seq,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    key_id: None | str | Unset = UNSET,
    kind: ListTracesKindType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    before_seq: int | None | Unset = UNSET,
    limit: int | Unset = 50,

) -> ErrorEnvelope | TraceListOut | None:
    """ List Traces

     Records newest first, by key, kind and time (headers only: read one for its content).

    Args:
        key_id (None | str | Unset): Only this key's records.
        kind (ListTracesKindType0 | None | Unset): Only records of this kind.
        since (datetime.datetime | None | Unset): Only records made at or after this time.
        until (datetime.datetime | None | Unset): Only records made before this time.
        before_seq (int | None | Unset): Records before this seq (the next page).
        limit (int | Unset): Records per page. Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TraceListOut
     """


    return sync_detailed(
        client=client,
key_id=key_id,
kind=kind,
since=since,
until=until,
before_seq=before_seq,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    key_id: None | str | Unset = UNSET,
    kind: ListTracesKindType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    before_seq: int | None | Unset = UNSET,
    limit: int | Unset = 50,

) -> Response[ErrorEnvelope | TraceListOut]:
    """ List Traces

     Records newest first, by key, kind and time (headers only: read one for its content).

    Args:
        key_id (None | str | Unset): Only this key's records.
        kind (ListTracesKindType0 | None | Unset): Only records of this kind.
        since (datetime.datetime | None | Unset): Only records made at or after this time.
        until (datetime.datetime | None | Unset): Only records made before this time.
        before_seq (int | None | Unset): Records before this seq (the next page).
        limit (int | Unset): Records per page. Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TraceListOut]
     """


    kwargs = _get_kwargs(
        key_id=key_id,
kind=kind,
since=since,
until=until,
before_seq=before_seq,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    key_id: None | str | Unset = UNSET,
    kind: ListTracesKindType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    before_seq: int | None | Unset = UNSET,
    limit: int | Unset = 50,

) -> ErrorEnvelope | TraceListOut | None:
    """ List Traces

     Records newest first, by key, kind and time (headers only: read one for its content).

    Args:
        key_id (None | str | Unset): Only this key's records.
        kind (ListTracesKindType0 | None | Unset): Only records of this kind.
        since (datetime.datetime | None | Unset): Only records made at or after this time.
        until (datetime.datetime | None | Unset): Only records made before this time.
        before_seq (int | None | Unset): Records before this seq (the next page).
        limit (int | Unset): Records per page. Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TraceListOut
     """


    return (await asyncio_detailed(
        client=client,
key_id=key_id,
kind=kind,
since=since,
until=until,
before_seq=before_seq,
limit=limit,

    )).parsed

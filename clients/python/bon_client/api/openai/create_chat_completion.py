from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.chat_completion import ChatCompletion
from ...models.chat_completion_request import ChatCompletionRequest
from ...models.open_ai_error import OpenAIError
from typing import cast



def _get_kwargs(
    *,
    body: ChatCompletionRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/chat/completions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChatCompletion | OpenAIError | None:
    if response.status_code == 200:
        response_200 = ChatCompletion.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = OpenAIError.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = OpenAIError.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = OpenAIError.from_dict(response.json())



        return response_404

    if response.status_code == 413:
        response_413 = OpenAIError.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = OpenAIError.from_dict(response.json())



        return response_415

    if response.status_code == 424:
        response_424 = OpenAIError.from_dict(response.json())



        return response_424

    if response.status_code == 429:
        response_429 = OpenAIError.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = OpenAIError.from_dict(response.json())



        return response_503

    if response.status_code == 504:
        response_504 = OpenAIError.from_dict(response.json())



        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ChatCompletion | OpenAIError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> Response[ChatCompletion | OpenAIError]:
    """ Create Chat Completion

     Answer the last user message with best-of-N verification (OpenAI chat completions).

    Args:
        body (ChatCompletionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | OpenAIError]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> ChatCompletion | OpenAIError | None:
    """ Create Chat Completion

     Answer the last user message with best-of-N verification (OpenAI chat completions).

    Args:
        body (ChatCompletionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | OpenAIError
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> Response[ChatCompletion | OpenAIError]:
    """ Create Chat Completion

     Answer the last user message with best-of-N verification (OpenAI chat completions).

    Args:
        body (ChatCompletionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | OpenAIError]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> ChatCompletion | OpenAIError | None:
    """ Create Chat Completion

     Answer the last user message with best-of-N verification (OpenAI chat completions).

    Args:
        body (ChatCompletionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | OpenAIError
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed

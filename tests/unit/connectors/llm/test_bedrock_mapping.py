"""How boto3's requests and errors are translated (tests/integration has the wire format)."""

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    EventStreamError,
    NoCredentialsError,
    ParamValidationError,
)
from botocore.parsers import ResponseParserError
from urllib3.exceptions import ProtocolError

from connectors.llm import LlmRejected, LlmUnavailable
from connectors.llm.bedrock import converse_arguments, map_error
from tests.unit.connectors.llm.helpers import REQUEST


def client_error(code: str, status: int) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "m"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "ConverseStream")  # type: ignore[arg-type]


def stream_error(code: str) -> EventStreamError:
    return EventStreamError({"Error": {"Code": code, "Message": "m"}}, "ConverseStream")  # type: ignore[arg-type]


def test_converse_arguments() -> None:
    assert converse_arguments(REQUEST) == {
        "modelId": "small-model",
        "messages": [{"role": "user", "content": [{"text": "hello"}]}],
        "system": [{"text": "rules"}],
        "inferenceConfig": {"maxTokens": 64, "temperature": 0.0},
    }


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (client_error("ThrottlingException", 429), LlmUnavailable),
        (client_error("ServiceUnavailableException", 503), LlmUnavailable),
        (client_error("InternalServerException", 500), LlmUnavailable),
        (client_error("ModelTimeoutException", 408), LlmUnavailable),
        (client_error("ModelNotReadyException", 429), LlmUnavailable),
        (client_error("SomethingNew", 502), LlmUnavailable),
        (client_error("ValidationException", 400), LlmRejected),
        (client_error("AccessDeniedException", 403), LlmRejected),
        (client_error("ResourceNotFoundException", 404), LlmRejected),
        (stream_error("throttlingException"), LlmUnavailable),
        (stream_error("modelStreamErrorException"), LlmUnavailable),
        (stream_error("internalServerException"), LlmUnavailable),
        (stream_error("validationException"), LlmRejected),
        (EndpointConnectionError(endpoint_url="http://x"), LlmUnavailable),
        (ConnectTimeoutError(endpoint_url="http://x"), LlmUnavailable),
        (ProtocolError("Response ended prematurely"), LlmUnavailable),
        (ConnectionResetError(), LlmUnavailable),
        (ResponseParserError("one and only one member"), LlmUnavailable),
        (ParamValidationError(report="bad"), LlmRejected),
        (NoCredentialsError(), LlmRejected),
    ],
)
def test_errors_are_mapped(exc: Exception, kind: type[Exception]) -> None:
    assert type(map_error(exc)) is kind


def test_foreign_errors_are_not_mapped() -> None:
    assert map_error(KeyError("x")) is None

"""The boto3 Kinesis client, creating a stream for local runs, and classifying botocore errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws import aws_client
from connectors.kinesis.exceptions import KinesisError, KinesisUnavailable
from connectors.kinesis.settings import KinesisSettings

DEPENDENCY_ERRORS = (BotoCoreError, ClientError, OSError)
"""What a boto3 call can raise: wrap these, ``from exc``."""

# Error codes of a whole call (or of one PutRecords entry) that may succeed when retried.
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "LimitExceededException",
        "InternalFailure",
        "InternalFailureException",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "KMSThrottlingException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def kinesis_client(
    region: str,
    *,
    endpoint_url: str | None = None,
    timeout_s: float = 5.0,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A Kinesis client whose own retries stay small: the producer and reader retry themselves."""
    return aws_client(
        "kinesis",
        region,
        endpoint_url=endpoint_url,
        timeout_s=timeout_s,
        attempts=2,
        credentials=credentials,
    )


def client_from_settings(
    settings: KinesisSettings, *, credentials: Mapping[str, str] | None = None
) -> Any:
    """:func:`kinesis_client` for ``settings``."""
    return kinesis_client(
        settings.region,
        endpoint_url=settings.endpoint_url,
        timeout_s=settings.timeout_s,
        credentials=credentials,
    )


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError``, else the exception's class name."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or type(exc).__name__
    return type(exc).__name__


def is_retryable(exc: BaseException) -> bool:
    """Throttling, server errors and connection trouble: worth another attempt."""
    if isinstance(exc, ClientError):
        if error_code(exc) in RETRYABLE_CODES:
            return True
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return isinstance(status, int) and status >= 500
    return isinstance(exc, BotoCoreError | OSError)


def wrap(exc: BaseException, what: str) -> KinesisError:
    """``exc`` as :class:`KinesisUnavailable` when retrying may help, else :class:`KinesisError`."""
    kind = KinesisUnavailable if is_retryable(exc) else KinesisError
    return kind(f"{what}: {error_code(exc)}: {exc}")


def ensure_stream(client: Any, name: str, shards: int = 1) -> None:
    """Create the stream with ``shards`` shards if missing, and wait until it is active.

    For local runs (moto, kinesalite); production streams are made at deploy time.
    An existing stream is left as it is, whatever its shard count.
    """
    if shards < 1:
        raise KinesisError(f"a stream needs at least one shard, not {shards}")
    try:
        try:
            client.create_stream(StreamName=name, ShardCount=shards)
        except ClientError as exc:
            if error_code(exc) != "ResourceInUseException":
                raise
        client.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except DEPENDENCY_ERRORS as exc:  # a WaiterError is a BotoCoreError too
        raise wrap(exc, f"cannot set up Kinesis stream {name}") from exc

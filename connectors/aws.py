"""boto3 clients the way every connector wants them: bounded timeouts and retries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config


def aws_client(
    service: str,
    region: str,
    *,
    endpoint_url: str | None = None,
    timeout_s: float = 0.5,
    attempts: int = 2,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A ``service`` client with ``timeout_s`` connect and read timeouts and ``attempts`` tries.

    ``credentials``: boto3's ``aws_*`` client arguments; unset, boto3's usual
    chain (environment, profile, instance role) provides them.
    """
    config = Config(
        connect_timeout=timeout_s,
        read_timeout=timeout_s,
        retries={"mode": "standard", "total_max_attempts": attempts},
    )
    session = boto3.session.Session()  # not the default session: that one is shared
    return session.client(
        service, region_name=region, endpoint_url=endpoint_url, config=config, **(credentials or {})
    )

"""Hand-offs to Amazon Connect (production): one contact per escalation.

``connect_mode`` chooses the contact:

* ``chat``: ``StartChatContact``. The contact flow routes the chat to an agent's
  queue; the agent sees the hand-off's fields as contact attributes and the
  shopper's message as the chat's first message.
* ``task``: ``StartTaskContact``. A task for an agent to follow up, named after
  the reason, with the conversation as its description.

Either way the contact's attributes carry the summary and the user context
(:func:`contact_attributes`), and ``ClientToken`` is the escalation's event id,
so a redelivered escalation makes no second contact: Connect answers the first.

boto3 is synchronous, so calls run in a worker thread. moto does not implement
Amazon Connect's contact APIs and no local Connect exists, so the tests stub the
client with botocore's ``Stubber``, which checks every call against the botocore
model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws import aws_client
from connectors.handoff.exceptions import HandoffRejected, HandoffUnavailable
from connectors.handoff.models import Acceptance
from connectors.handoff.settings import HandoffSettings
from mangaassist.errors import ConfigurationError
from schemas.events import Escalation

log = logging.getLogger(__name__)

ConnectMode = Literal["chat", "task"]
# Connect's limits: a chat message up to 16 KiB (kept short here), a task's
# description 4096 characters, its name 512, a display name 256.
INITIAL_MESSAGE_CHARS = 1024
DESCRIPTION_CHARS = 4096
CONVERSATION_ATTRIBUTE_CHARS = 4000
_TRANSIENT_CODES = frozenset(
    {"ThrottlingException", "InternalServiceException", "ServiceUnavailableException"}
)
GUEST_NAMES = {"ja": "ゲスト", "en": "Guest"}
TASK_NAMES = {
    "shopper_request": "Chat hand-off: the shopper asked for a person",
    "guardrail_blocks": "Chat hand-off: replies blocked by the guardrail",
    "negative_sentiment": "Chat hand-off: an unhappy shopper",
    "repeated_failure": "Chat hand-off: the assistant could not answer",
}


def connect_client(
    region: str,
    *,
    endpoint_url: str | None = None,
    timeout_s: float = 2.0,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """An Amazon Connect client with ``timeout_s`` timeouts and two tries."""
    return aws_client(
        "connect",
        region,
        endpoint_url=endpoint_url,
        timeout_s=timeout_s,
        attempts=2,
        credentials=credentials,
    )


def contact_attributes(escalation: Escalation) -> dict[str, str]:
    """The hand-off as Connect contact attributes (strings), for the flow and the agent."""
    attributes = {
        "session_id": escalation.session_id,
        "turn_id": escalation.turn_id,
        "escalation_id": escalation.event_id,
        "reason": escalation.reason,
        "locale": escalation.locale,
        "summary": escalation.summary,
        "intents": ",".join(escalation.intents),
        "product_ids": ",".join(escalation.product_ids),
        "order_ids": ",".join(escalation.order_ids),
        "sentiment": f"{escalation.sentiment:.3f}",
        "conversation": escalation.conversation[:CONVERSATION_ATTRIBUTE_CHARS],
    }
    if escalation.user_id is not None:
        attributes["user_id"] = escalation.user_id
    return attributes


class ConnectHandoff:
    """Starts an Amazon Connect chat or task contact for each escalation."""

    def __init__(
        self,
        client: Any,
        instance_id: str,
        contact_flow_id: str,
        mode: ConnectMode = "chat",
        *,
        owns_client: bool = False,
    ) -> None:
        if not instance_id or not contact_flow_id:
            raise ConfigurationError("Amazon Connect needs an instance id and a contact flow id")
        self._client = client
        self._instance_id = instance_id
        self._contact_flow_id = contact_flow_id
        self.mode = mode
        self._owns_client = owns_client

    @classmethod
    def from_settings(cls, settings: HandoffSettings) -> ConnectHandoff:
        if not settings.connect_instance_id or not settings.connect_contact_flow_id:
            raise ConfigurationError(
                "the connect hand-off backend needs MANGAASSIST_HANDOFF_CONNECT_INSTANCE_ID "
                "and MANGAASSIST_HANDOFF_CONNECT_CONTACT_FLOW_ID"
            )
        client = connect_client(
            settings.connect_region,
            endpoint_url=settings.connect_endpoint_url,
            timeout_s=settings.timeout_s,
        )
        return cls(
            client,
            settings.connect_instance_id,
            settings.connect_contact_flow_id,
            settings.connect_mode,
            owns_client=True,
        )

    def chat_request(self, escalation: Escalation) -> dict[str, Any]:
        """The ``StartChatContact`` parameters for ``escalation``."""
        name = escalation.user_id or GUEST_NAMES[escalation.locale]
        return {
            "InstanceId": self._instance_id,
            "ContactFlowId": self._contact_flow_id,
            "Attributes": contact_attributes(escalation),
            "ParticipantDetails": {"DisplayName": name[:256]},
            "InitialMessage": {
                "ContentType": "text/plain",
                "Content": (escalation.summary or escalation.reason)[:INITIAL_MESSAGE_CHARS],
            },
            "ClientToken": escalation.event_id,
        }

    def task_request(self, escalation: Escalation) -> dict[str, Any]:
        """The ``StartTaskContact`` parameters for ``escalation``."""
        name = TASK_NAMES.get(escalation.reason, f"Chat hand-off: {escalation.reason}")
        description = escalation.conversation or escalation.summary
        return {
            "InstanceId": self._instance_id,
            "ContactFlowId": self._contact_flow_id,
            "Attributes": contact_attributes(escalation),
            "Name": name[:512],
            "Description": description[:DESCRIPTION_CHARS],
            "References": {
                "session": {"Value": escalation.session_id, "Type": "STRING"},
            },
            "ClientToken": escalation.event_id,
        }

    async def accept(self, escalation: Escalation) -> Acceptance:
        """Start the contact; Connect's own queue decides the wait, which it does not tell."""
        if self.mode == "task":
            response = await self._call("start_task_contact", self.task_request(escalation))
        else:
            response = await self._call("start_chat_contact", self.chat_request(escalation))
        contact_id = str(response["ContactId"])
        log.info("escalation %s is Connect contact %s", escalation.event_id, contact_id)
        return Acceptance(reference=contact_id, status="waiting", new=True)

    async def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response: dict[str, Any] = await asyncio.to_thread(
                getattr(self._client, operation), **params
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            message = f"Amazon Connect {operation} failed: {code or exc}"
            if code in _TRANSIENT_CODES or status >= 500:
                raise HandoffUnavailable(message) from exc
            raise HandoffRejected(message) from exc
        except BotoCoreError as exc:
            raise HandoffUnavailable(f"Amazon Connect {operation} failed: {exc}") from exc
        return response

    async def aclose(self) -> None:
        if self._owns_client:
            self._client.close()

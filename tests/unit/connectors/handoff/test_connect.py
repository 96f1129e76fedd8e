"""Amazon Connect, with botocore's Stubber: moto has no Connect and no local Connect exists.

The Stubber checks each call's parameters against the botocore model and
against what the test expects, and answers with a response the model accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from connectors.handoff import (
    ConnectHandoff,
    HandoffRejected,
    HandoffSettings,
    HandoffUnavailable,
    connect_client,
    contact_attributes,
    handoff_from_settings,
)
from connectors.kafka import free_loopback_port
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.handoff.helpers import escalation

INSTANCE = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
FLOW = "9a8b7c6d-5e4f-3a2b-1c0d-e1f2a3b4c5d6"
CONTACT = "c0ffee00-1234-4abc-8def-000000000001"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CHAT_ANSWER = {
    "ContactId": CONTACT,
    "ParticipantId": "participant-1",
    "ParticipantToken": "participant-token",
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One client for the module (building one loads botocore's models); each test stubs it."""
    made = connect_client("ap-northeast-1", credentials=CREDENTIALS)
    yield made
    made.close()


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def expected_attributes(**overrides: str) -> dict[str, str]:
    attributes = {
        "session_id": "s-1",
        "turn_id": "turn-s-1",
        "escalation_id": "esc-s-1",
        "reason": "shopper_request",
        "locale": "ja",
        "summary": "担当者と話したい",
        "intents": "order_tracking,escalation",
        "product_ids": "B0ABCDEFGH",
        "order_ids": "250-1234567-7654321",
        "sentiment": "-0.400",
        "conversation": "1. [escalation] お客様: 担当者と話したい → アシスタント: おつなぎします。",
        "user_id": "user-01",
    }
    attributes.update(overrides)
    return attributes


async def test_a_chat_contact_carries_the_summary_and_the_user_context(
    client: Any, stubber: Stubber
) -> None:
    stubber.add_response(
        "start_chat_contact",
        CHAT_ANSWER,
        {
            "InstanceId": INSTANCE,
            "ContactFlowId": FLOW,
            "Attributes": expected_attributes(),
            "ParticipantDetails": {"DisplayName": "user-01"},
            "InitialMessage": {"ContentType": "text/plain", "Content": "担当者と話したい"},
            "ClientToken": "esc-s-1",
        },
    )
    acceptance = await ConnectHandoff(client, INSTANCE, FLOW).accept(escalation())
    assert (acceptance.reference, acceptance.status, acceptance.new) == (CONTACT, "waiting", True)
    # Connect's own queue decides the wait, and does not say.
    assert (acceptance.position, acceptance.eta_s) == (None, None)


async def test_a_guest_chats_as_guest_in_their_language(client: Any, stubber: Stubber) -> None:
    guest = escalation(user_id=None, locale="en", summary="This is useless, get me a human!")
    params = ConnectHandoff(client, INSTANCE, FLOW).chat_request(guest)
    assert params["ParticipantDetails"] == {"DisplayName": "Guest"}
    assert "user_id" not in params["Attributes"]
    stubber.add_response("start_chat_contact", CHAT_ANSWER, params)
    assert (await ConnectHandoff(client, INSTANCE, FLOW).accept(guest)).reference == CONTACT


async def test_a_task_contact_names_the_reason_and_describes_the_conversation(
    client: Any, stubber: Stubber
) -> None:
    sent = escalation(reason="repeated_failure")
    stubber.add_response(
        "start_task_contact",
        {"ContactId": CONTACT},
        {
            "InstanceId": INSTANCE,
            "ContactFlowId": FLOW,
            "Attributes": expected_attributes(reason="repeated_failure"),
            "Name": "Chat hand-off: the assistant could not answer",
            "Description": sent.conversation,
            "References": {"session": {"Value": "s-1", "Type": "STRING"}},
            "ClientToken": "esc-s-1",
        },
    )
    acceptance = await ConnectHandoff(client, INSTANCE, FLOW, "task").accept(sent)
    assert acceptance.reference == CONTACT


def test_long_texts_are_cut_to_connects_limits() -> None:
    long = escalation(summary="あ" * 5000, conversation="い" * 9000)
    handoff = ConnectHandoff(object(), INSTANCE, FLOW)
    assert len(handoff.chat_request(long)["InitialMessage"]["Content"]) == 1024
    assert len(handoff.task_request(long)["Description"]) == 4096
    assert len(contact_attributes(long)["conversation"]) == 4000


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ThrottlingException", 429, HandoffUnavailable),
        ("InternalServiceException", 500, HandoffUnavailable),
        ("InvalidParameterException", 400, HandoffRejected),
        ("ResourceNotFoundException", 404, HandoffRejected),
        ("AccessDeniedException", 403, HandoffRejected),
    ],
)
async def test_connect_errors_say_whether_to_try_again(
    client: Any, stubber: Stubber, code: str, status: int, error: type[Exception]
) -> None:
    stubber.add_client_error("start_chat_contact", code, "no", http_status_code=status)
    with pytest.raises(error, match=code):
        await ConnectHandoff(client, INSTANCE, FLOW).accept(escalation())


async def test_an_unreachable_connect_is_unavailable() -> None:
    client = connect_client(
        "ap-northeast-1",
        endpoint_url=f"http://127.0.0.1:{free_loopback_port()}",
        timeout_s=0.5,
        credentials=CREDENTIALS,
    )
    handoff = ConnectHandoff(client, INSTANCE, FLOW, owns_client=True)
    try:
        with pytest.raises(HandoffUnavailable, match="start_chat_contact"):
            await handoff.accept(escalation())
    finally:
        await handoff.aclose()


def test_the_connect_backend_needs_its_instance_and_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANGAASSIST_HANDOFF_CONNECT_INSTANCE_ID", raising=False)
    with pytest.raises(ConfigurationError, match="CONNECT_INSTANCE_ID"):
        handoff_from_settings(HandoffSettings(backend="connect", connect_contact_flow_id=FLOW))


async def test_the_settings_make_a_connect_backend() -> None:
    settings = HandoffSettings(
        backend="connect",
        connect_instance_id=INSTANCE,
        connect_contact_flow_id=FLOW,
        connect_mode="task",
    )
    backend = handoff_from_settings(settings)
    assert isinstance(backend, ConnectHandoff)
    assert backend.mode == "task"
    await backend.aclose()

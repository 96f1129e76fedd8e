"""The fake Bedrock's framing, checked against botocore's own decoder."""

import json

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from connectors.llm.testing import bedrock_event, bedrock_exception, encode_event_message


def decode(data: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [(message.headers, message.payload) for message in buffer]


def test_messages_decode_with_botocore() -> None:
    data = bedrock_event("contentBlockDelta", {"delta": {"text": "こんにちは"}}) + bedrock_event(
        "messageStop", {"stopReason": "end_turn"}
    )
    (headers, payload), (stop_headers, _) = decode(data)
    assert headers == {
        ":event-type": "contentBlockDelta",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(payload) == {"delta": {"text": "こんにちは"}}
    assert stop_headers[":event-type"] == "messageStop"


def test_exceptions_carry_their_type() -> None:
    ((headers, payload),) = decode(bedrock_exception("throttlingException", "slow down"))
    assert headers[":message-type"] == "exception"
    assert headers[":exception-type"] == "throttlingException"
    assert json.loads(payload) == {"message": "slow down"}


def test_lengths_are_in_the_prelude() -> None:
    message = encode_event_message({"a": "b"}, b"xyz")
    assert int.from_bytes(message[:4], "big") == len(message)
    assert int.from_bytes(message[4:8], "big") == 1 + 1 + 1 + 2 + 1  # name len, name, type, len, b


@pytest.mark.parametrize("position", [5, 20, -2])
def test_a_flipped_byte_fails_the_crc(position: int) -> None:
    message = bytearray(bedrock_event("messageStop", {"stopReason": "end_turn"}))
    message[position] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        decode(bytes(message))

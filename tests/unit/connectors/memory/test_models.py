from datetime import datetime

import pytest
from pydantic import ValidationError

from connectors.memory import Conversation, RememberedTurn, ShownItem
from tests.unit.connectors.memory.helpers import ids, make_turn, rich_turn


def test_last_shown_is_the_latest_turn_that_showed_something() -> None:
    conversation = Conversation(
        session_id="s", turns=(make_turn(1, shown=2), make_turn(2, shown=3), make_turn(3))
    )
    shown = conversation.last_shown()
    assert [item.id for item in shown] == ["B000020000", "B000020001", "B000020002"]
    assert shown[1].title == "Volume 1"  # "the second one"


def test_an_empty_conversation_has_no_last_turn_and_shows_nothing() -> None:
    conversation = Conversation(session_id="s")
    assert conversation.last_turn() is None
    assert conversation.last_shown() == ()


def test_last_turn_is_the_newest() -> None:
    conversation = Conversation(session_id="s", turns=(make_turn(1), make_turn(2)))
    assert conversation.last_turn() == make_turn(2)


def test_with_turn_returns_the_same_object_when_nothing_changes() -> None:
    conversation = Conversation(session_id="s", turns=(make_turn(2), make_turn(3)))
    assert conversation.with_turn(make_turn(2), max_turns=5) is conversation
    assert conversation.with_turn(make_turn(1), max_turns=2) is conversation
    assert ids(conversation.with_turn(make_turn(1), max_turns=3).turns) == ["t1", "t2", "t3"]
    assert ids(conversation.with_turn(make_turn(4), max_turns=2).turns) == ["t3", "t4"]


def test_models_are_frozen_and_strict() -> None:
    turn = rich_turn()
    with pytest.raises(ValidationError):
        turn.intent = "other"
    with pytest.raises(ValidationError):
        ShownItem(kind="coupon", id="x", title="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        RememberedTurn.model_validate({**turn.model_dump(), "surprise": 1})


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        RememberedTurn.model_validate({**rich_turn().model_dump(), "at": datetime(2025, 1, 1)})


def test_a_turn_survives_json() -> None:
    turn = rich_turn()
    assert RememberedTurn.model_validate_json(turn.model_dump_json()) == turn

import io
import json

from agents.intent.command import classify_main
from agents.intent.labels import INTENTS


def _run(lines: list[str]) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = classify_main(io.StringIO("".join(line + "\n" for line in lines)), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_answer_per_line_in_order() -> None:
    code, answers = _run(
        [
            json.dumps({"text": "where is my order 250-1234567-7654321"}),
            json.dumps({"text": "時計塔の騎士の3巻はいくら？"}, ensure_ascii=False),
            json.dumps({"text": ""}),
        ]
    )
    assert code == 0
    assert [a["intent"] for a in answers] == ["order_tracking", "product_question", "chitchat"]
    assert answers[0]["entities"] == {"order_id": ["250-1234567-7654321"]}
    assert answers[1]["entities"]["volume"] == ["3"]
    assert all(set(a) == {"intent", "confidence", "entities"} for a in answers)
    assert all(a["intent"] in INTENTS and 0 <= a["confidence"] <= 1 for a in answers)


def test_a_bad_line_gets_an_error_and_the_run_goes_on() -> None:
    code, answers = _run(
        ["not json", json.dumps({"txt": "hi"}), "[1, 2]", json.dumps({"text": "hello"})]
    )
    assert code == 1
    assert [("error" in a) for a in answers] == [True, True, True, False]
    assert answers[0]["line"] == 1
    assert "not JSON" in str(answers[0]["error"])
    assert answers[3]["intent"] == "chitchat"

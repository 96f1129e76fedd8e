import pytest

from agents.guard.bench import run_bench, sample_replies
from agents.guard.settings import GuardSettings


def test_bench_reports_percentiles_against_a_floor() -> None:
    result = run_bench(repeats=1, replies=8)
    for key in (
        "floor_nfkc_chunk",
        "check_chunk_output",
        "check_chunk_input",
        "stream_whole_reply",
    ):
        assert set(result[key]) == {"p50", "p95", "p99"}
    assert result["unit"] == "ms"
    assert isinstance(result["chunk_p99_meets_target"], bool)


def test_sample_replies_are_repeatable() -> None:
    assert sample_replies(3) == sample_replies(3)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_GUARD_MAX_CHARS", "500")
    monkeypatch.setenv("MANGAASSIST_GUARD_COMPETITOR_NAMES", '["Mangaya"]')
    monkeypatch.setenv("MANGAASSIST_GUARD_PII_DIRECTIONS", '["input"]')
    settings = GuardSettings()
    assert settings.max_chars == 500
    assert settings.competitor_names == ("Mangaya",)
    assert settings.pii_directions == ("input",)


def test_every_setting_is_described() -> None:
    for name, field in GuardSettings.model_fields.items():
        assert field.description, name

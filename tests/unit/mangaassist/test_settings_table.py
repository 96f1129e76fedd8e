from pathlib import Path

import pytest

from mangaassist.settings_table import SETTINGS_CLASSES, current_settings, render_settings_table

README = Path(__file__).parents[3] / "README.md"


def test_readme_lists_every_setting_as_the_code_defines_it() -> None:
    assert render_settings_table() in README.read_text(encoding="utf-8")


def test_every_setting_is_described() -> None:
    for cls in SETTINGS_CLASSES:
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no description"


def test_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_BRIDGE_TOKEN_SECRET", "s" * 40)
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_URL", "postgresql://user:hunter2@db/x")
    shown = current_settings()
    assert "hunter2" not in "".join(shown.values())
    assert shown["MANGAASSIST_BRIDGE_TOKEN_SECRET"] == "**********"

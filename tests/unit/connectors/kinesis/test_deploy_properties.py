"""deploy/kinesis/mangaassist.properties agrees with the code it starts."""

from __future__ import annotations

from pathlib import Path

from connectors.kinesis import KinesisSettings

PROPERTIES = Path(__file__).parents[4] / "deploy" / "kinesis" / "mangaassist.properties"


def properties() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in PROPERTIES.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_the_daemon_starts_the_processor_on_the_producers_stream() -> None:
    values = properties()
    defaults = KinesisSettings()
    assert values["executableName"] == "mangaassist kcl-processor"
    assert values["streamName"] == defaults.stream_name
    assert values["regionName"] == defaults.region
    assert values["applicationName"]


def test_the_processor_is_called_when_idle_so_batches_age_out() -> None:
    values = properties()
    assert values["callProcessRecordsEvenForEmptyRecordList"] == "true"
    assert values["initialPositionInStream"] == "TRIM_HORIZON"
    assert "timeoutInSeconds" not in values

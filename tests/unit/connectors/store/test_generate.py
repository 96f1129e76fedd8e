from importlib.resources import files
from pathlib import Path

from connectors.store import generate
from connectors.store.dice import Dice


def test_committed_data_equals_a_fresh_generation(tmp_path: Path) -> None:
    assert generate.main(["--out", str(tmp_path)]) == 0
    committed = files("connectors.store").joinpath("data")
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["catalog.json", "orders.json", "promotions.json", "users.json"]
    for name in written:
        assert (tmp_path / name).read_bytes() == committed.joinpath(name).read_bytes(), name


def test_two_generations_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    generate.main(["--out", str(first)])
    generate.main(["--out", str(second)])
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes()


def test_dice_repeat_for_a_seed_and_stay_in_bounds() -> None:
    rolls = [Dice(7).between(1, 6) for _ in range(3)]
    assert len(set(rolls)) == 1
    dice = Dice(1)
    values = {dice.between(1, 6) for _ in range(500)}
    assert values == {1, 2, 3, 4, 5, 6}
    assert sorted(dice.sample(range(10), 10)) == list(range(10))

"""Compose the synthetic catalog: authors, series and every item of every series."""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import date, timedelta
from typing import get_args

from connectors.store import words
from connectors.store.dice import Dice
from connectors.store.ids import isbn13_check_digit
from connectors.store.models import (
    Author,
    Availability,
    Demographic,
    Genre,
    Item,
    ItemFormat,
    Label,
    Publisher,
    Series,
)
from connectors.store.words import Word

SERIES_COUNT = 320
AUTHOR_COUNT = 140
# Tax-inclusive paperback prices: a 10-yen step before the 10% consumption tax.
PAPERBACK_PRICES = tuple(base * 11 // 10 for base in range(480, 901, 20))
SPECIAL_EDITION_PRICES = (1980, 2310, 2640, 3300)
BOX_SET_DISCOUNT = 0.9
PAGE_COUNTS = (176, 192, 208, 224)
_ASIN_ALPHABET = string.ascii_uppercase + string.digits
_VOLUME_COUNTS: tuple[tuple[tuple[int, int], float], ...] = (
    ((1, 3), 0.35),
    ((4, 8), 0.40),
    ((9, 14), 0.17),
    ((15, 24), 0.08),
)
_DEMOGRAPHICS: tuple[tuple[Demographic, float], ...] = (
    ("shonen", 0.35),
    ("seinen", 0.25),
    ("shojo", 0.15),
    ("josei", 0.15),
    ("kodomo", 0.10),
)
_ALL_GENRES: tuple[Genre, ...] = get_args(Genre)


def _article(noun: str) -> str:
    return "an" if noun[0] in "AEIOU" else "a"


# Each pattern makes (ja, en, romaji) from a dice; the isekai one also fixes genres.
def _place_person(dice: Dice) -> Word:
    place, person = dice.pick(words.PLACES), dice.pick(words.PERSONS)
    return Word(
        f"{place.ja}の{person.ja}",
        f"{person.en} of {place.en}",
        f"{place.romaji} no {person.romaji}",
    )


def _person_and_thing(dice: Dice) -> Word:
    person, thing = dice.pick(words.PERSONS), dice.pick(words.THINGS)
    return Word(
        f"{person.ja}と{thing.ja}",
        f"The {person.en} and the {thing.en}",
        f"{person.romaji} to {thing.romaji}",
    )


def _thing_person(dice: Dice) -> Word:
    thing, person = dice.pick(words.THINGS), dice.pick(words.PERSONS)
    return Word(
        f"{thing.ja}の{person.ja}",
        f"The {thing.en} {person.en}",
        f"{thing.romaji} no {person.romaji}",
    )


def _quality_person(dice: Dice) -> Word:
    quality, person = dice.pick(words.QUALITIES), dice.pick(words.PERSONS)
    return Word(
        f"{quality.ja}{person.ja}",
        f"The {quality.en} {person.en}",
        f"{quality.romaji} {person.romaji}",
    )


def _place_thing(dice: Dice) -> Word:
    place, thing = dice.pick(words.PLACES), dice.pick(words.THINGS)
    return Word(
        f"{place.ja}の{thing.ja}",
        f"The {thing.en} of {place.en}",
        f"{place.romaji} no {thing.romaji}",
    )


def _isekai(dice: Dice) -> Word:
    person = dice.pick(words.PERSONS)
    return Word(
        f"異世界で{person.ja}になりました",
        f"I Became {_article(person.en)} {person.en} in Another World",
        f"Isekai de {person.romaji} ni Narimashita",
    )


_PATTERNS: tuple[tuple[Callable[[Dice], Word], float], ...] = (
    (_place_person, 0.3),
    (_person_and_thing, 0.15),
    (_thing_person, 0.15),
    (_quality_person, 0.2),
    (_place_thing, 0.1),
    (_isekai, 0.1),
)


def make_labels() -> tuple[tuple[Label, ...], tuple[Label, ...], tuple[Publisher, ...]]:
    """Genres, demographics and publishers: fixed lists, no dice."""
    genres = tuple(Label(id=t.id, name_ja=t.ja, name_en=t.en) for t in words.GENRES)
    demographics = tuple(Label(id=t.id, name_ja=t.ja, name_en=t.en) for t in words.DEMOGRAPHICS)
    publishers = tuple(Publisher(id=t.id, name_ja=t.ja, name_en=t.en) for t in words.PUBLISHERS)
    return genres, demographics, publishers


def make_authors(dice: Dice) -> tuple[Author, ...]:
    names: dict[str, str] = {}
    while len(names) < AUTHOR_COUNT:
        (family_ja, family_romaji), (given_ja, given_romaji) = (
            dice.pick(words.FAMILY_NAMES),
            dice.pick(words.GIVEN_NAMES),
        )
        names.setdefault(f"{family_ja} {given_ja}", f"{family_romaji} {given_romaji}")
    return tuple(
        Author(id=f"author-{number:03d}", name_ja=name_ja, name_romaji=name_romaji)
        for number, (name_ja, name_romaji) in enumerate(names.items(), start=1)
    )


class CatalogMaker:
    """Draws series and their items; ids stay unique across everything it makes."""

    def __init__(self, dice: Dice, as_of: date) -> None:
        self._dice = dice
        self._as_of = as_of
        self._asins: set[str] = set()
        self._isbn_serials: dict[str, int] = {}

    def make(
        self, authors: tuple[Author, ...], publishers: tuple[Publisher, ...]
    ) -> tuple[tuple[Series, ...], tuple[Item, ...]]:
        series: list[Series] = []
        items: list[Item] = []
        titles: set[str] = set()
        while len(series) < SERIES_COUNT:
            title = self._dice.weighted(_PATTERNS)(self._dice)
            if title.ja in titles:
                continue
            titles.add(title.ja)
            one = self._series(f"series-{len(series) + 1:03d}", title, authors, publishers)
            series.append(one)
            items.extend(self._items(one))
        return tuple(series), tuple(items)

    def _series(
        self,
        series_id: str,
        title: Word,
        authors: tuple[Author, ...],
        publishers: tuple[Publisher, ...],
    ) -> Series:
        dice = self._dice
        genres: list[Genre] = ["isekai", "fantasy"] if title.ja.startswith("異世界") else []
        for genre in dice.sample(_ALL_GENRES, dice.between(1, 2)):
            if genre not in genres:
                genres.append(genre)
        low, high = dice.weighted(_VOLUME_COUNTS)
        return Series(
            id=series_id,
            title_ja=title.ja,
            title_en=title.en,
            title_romaji=title.romaji,
            author_id=dice.pick(authors).id,
            publisher_id=dice.pick(publishers).id,
            genres=tuple(genres),
            demographic=dice.weighted(_DEMOGRAPHICS),
            completed=dice.chance(0.4),
            volume_count=dice.between(low, high),
        )

    def _items(self, series: Series) -> list[Item]:
        dice = self._dice
        price = dice.pick(PAPERBACK_PRICES)
        rating = dice.uniform(3.2, 4.8)
        # An ongoing series may have its newest volume announced but not yet out.
        if not series.completed and dice.chance(0.3):
            last_release = self._as_of + timedelta(days=dice.between(5, 120))
        else:
            last_release = self._as_of - timedelta(days=dice.between(10, 2500))
        interval = dice.between(90, 150)
        has_kindle = dice.chance(0.9)
        special_volume = dice.between(2, series.volume_count) if dice.chance(0.15) else None
        items: list[Item] = []
        for volume in range(1, series.volume_count + 1):
            released = last_release - timedelta(days=interval * (series.volume_count - volume))
            formats: list[ItemFormat] = ["paperback"]
            if has_kindle:
                formats.append("kindle")
            if volume == special_volume:
                formats.append("special_edition")
            for item_format in formats:
                items.append(self._volume(series, item_format, volume, released, price, rating))
        if series.completed and series.volume_count >= 4 and dice.chance(0.7):
            items.append(self._box_set(series, items, rating))
        return items

    def _volume(
        self,
        series: Series,
        item_format: ItemFormat,
        volume: int,
        released: date,
        price: int,
        rating: float,
    ) -> Item:
        pages = self._dice.pick(PAGE_COUNTS)
        if item_format == "special_edition":
            label = ("　特装版", " Special Edition")
            price, pages = self._dice.pick(SPECIAL_EDITION_PRICES), pages + 32
        else:
            label = ("", "")
            price = price - price // 10 if item_format == "kindle" else price
        if volume == 1:
            position_review = words.OPENING_REVIEW
        elif series.completed and volume == series.volume_count:
            position_review = words.FINAL_REVIEW
        else:
            position_review = self._dice.pick(words.MIDDLE_REVIEWS)
        return self._item(
            series,
            item_format,
            volumes=(volume,),
            suffix=(f"　{volume}巻{label[0]}", f", Vol. {volume}{label[1]}"),
            price=price,
            released=released,
            pages=pages,
            rating=rating,
            position_review=position_review,
        )

    def _box_set(self, series: Series, volumes: list[Item], rating: float) -> Item:
        paperbacks = [item for item in volumes if item.format == "paperback"]
        price = int(sum(item.price_jpy for item in paperbacks) * BOX_SET_DISCOUNT) // 10 * 10
        last = series.volume_count
        return self._item(
            series,
            "box_set",
            volumes=tuple(range(1, last + 1)),
            suffix=(f"　1〜{last}巻セット", f", Vols. 1–{last} Box Set"),
            price=price,
            released=paperbacks[-1].release_date,
            pages=sum(item.page_count for item in paperbacks),
            rating=rating,
            position_review=words.BOX_SET_REVIEW,
        )

    def _item(
        self,
        series: Series,
        item_format: ItemFormat,
        *,
        volumes: tuple[int, ...],
        # Appended to the series title: (Japanese, English and romaji).
        suffix: tuple[str, str],
        price: int,
        released: date,
        pages: int,
        rating: float,
        position_review: tuple[str, str],
    ) -> Item:
        dice = self._dice
        availability, stock = self._availability(item_format, released)
        reviewed = availability != "preorder"
        genre_review = words.GENRE_REVIEWS[series.genres[0]]
        return Item(
            asin=self._asin(),
            series_id=series.id,
            format=item_format,
            volumes=volumes,
            isbn13=None if item_format == "kindle" else self._isbn(series.publisher_id),
            title_ja=series.title_ja + suffix[0],
            title_en=series.title_en + suffix[1],
            title_romaji=series.title_romaji + suffix[1],
            price_jpy=price,
            availability=availability,
            stock=stock,
            release_date=released,
            page_count=pages,
            rating=round(min(5.0, max(1.0, rating + dice.uniform(-0.3, 0.3))), 1)
            if reviewed
            else None,
            review_count=dice.between(1, 800) if reviewed else 0,
            review_ja=genre_review[0] + position_review[0] if reviewed else None,
            review_en=f"{genre_review[1]} {position_review[1]}" if reviewed else None,
        )

    def _availability(
        self, item_format: ItemFormat, released: date
    ) -> tuple[Availability, int | None]:
        if released > self._as_of:
            return "preorder", None if item_format == "kindle" else 0
        if item_format == "kindle":
            return "in_stock", None
        roll = self._dice.uniform(0, 1)
        if item_format == "special_edition":
            roll = roll * 0.5 + 0.5  # limited print runs sell out
        if roll < 0.75:
            return "in_stock", self._dice.between(6, 120)
        if roll < 0.88:
            return "low_stock", self._dice.between(1, 5)
        return "out_of_stock", 0

    def _asin(self) -> str:
        while True:
            asin = "B0" + "".join(self._dice.pick(_ASIN_ALPHABET) for _ in range(8))
            if asin not in self._asins:
                self._asins.add(asin)
                return asin

    def _isbn(self, publisher_id: str) -> str:
        # 978-4 is Japan's group; each made-up publisher gets a two-digit code.
        code = 90 + [t.id for t in words.PUBLISHERS].index(publisher_id)
        serial = self._isbn_serials.get(publisher_id, 0) + 1
        self._isbn_serials[publisher_id] = serial
        first_twelve = f"9784{code}{serial:06d}"
        return first_twelve + isbn13_check_digit(first_twelve)

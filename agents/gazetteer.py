"""The catalog's series titles, genres and demographics, found in a shopper's message.

Series: each title is kept in three folded spellings (Japanese; English without
its leading "the"; romaji), folded by :func:`connectors.store.folding.fold`, so
katakana meets hiragana and "Tokeitō", "tokeitou" and "tokeito" meet. Message
grams (Japanese character bigrams; trigrams of the Latin content words run
together) pick candidates through an inverted index; rapidfuzz then aligns each
candidate with the message, and a mention must read like the whole title: a high
ratio over the aligned stretch, and every part of the title (a Latin content
word, a run of kanji) present in it. "Knight" or 「騎士」 alone is no title.

Genres and demographics are words and synonyms in both languages, matched as
whole English words so "dramatic" or "action figure" are not genres.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain

from rapidfuzz import fuzz

from connectors.store.folding import fold
from connectors.store.loader import load_store
from connectors.store.models import Label, Series

# Ratio (0-100) of a title to the stretch of the message aligned with it. One
# wrong letter in a nine-letter romaji title scores 89; in Japanese one missing
# の scores 91 and one wrong kanji in six 83, so Japanese relies more on the parts.
LATIN_CUTOFF = 85.0
JAPANESE_CUTOFF = 80.0
# A part of the title (a content word, a kanji run) must be in the stretch, or a
# word (a run of as many characters) of it must score this; parts this short or
# shorter must be there verbatim: "tea" is not "sea", 「商店街」 not 「書店街」.
PART_CUTOFF = 80.0
JAPANESE_PART_CUTOFF = 75.0
SHORT_LATIN_PART = 3
SHORT_JAPANESE_PART = 3
# Japanese titles this short must be there verbatim: 「元画家」 is one kanji off 「画家」.
SHORT_JAPANESE_TITLE = 4
# A title is a candidate when the message holds this share of its grams, and
# only the best-covered candidates are aligned.
MIN_GRAM_SHARE = 0.5
MAX_CANDIDATES = 12
# The first alignment may score this much below the cutoff: moving its edges can raise it.
ALIGN_SLACK = 15.0
MAX_SERIES = 2

_JAPANESE = "\u3005\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_JAPANESE_RUN_RE = re.compile(f"[{_JAPANESE}]+")
# Runs of kanji: the content of a Japanese title; kana are mostly particles and endings.
_KANJI_RUN_RE = re.compile("[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD_RE = re.compile(r"[a-z0-9]+")
# One character for one, so positions in the cleaned text are positions in the folded one.
_PUNCTUATION_RE = re.compile(r"[^\w\s]|_")
# English articles and romaji particles, folded: they carry no title.
_STOPWORDS = frozenset({"the", "a", "an", "of", "and", "in", "no", "to", "de", "ni", "na"})


@dataclass(frozen=True, slots=True)
class SeriesMention:
    """A series named in a message; ``start``/``end`` index the folded message."""

    series_id: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class _Variant:
    """One folded spelling of a title and what a mention of it must hold."""

    series_id: str
    text: str
    latin: bool
    # Content words (Latin) or kanji runs (Japanese), each needed in a mention.
    parts: tuple[str, ...]
    # For each part, the title's words run together around it ("hoshifurumachi"):
    # a message word equal to one of these holds the part.
    joined: tuple[frozenset[str], ...]
    grams_needed: int


def clean(folded: str) -> str:
    """``folded`` with punctuation as spaces, one character for one."""
    return _PUNCTUATION_RE.sub(" ", folded)


def _grams(text: str) -> set[str]:
    pieces: set[str] = set()
    for run in _JAPANESE_RUN_RE.findall(text):
        pieces.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            pieces.add(run)
    joined = "".join(w for w in _LATIN_WORD_RE.findall(text) if w not in _STOPWORDS)
    pieces.update(joined[i : i + 3] for i in range(len(joined) - 2))
    if 0 < len(joined) < 3:
        pieces.add(joined)
    return pieces


def _variant(series_id: str, text: str, latin: bool, parts: tuple[str, ...]) -> _Variant:
    joined: tuple[frozenset[str], ...] = tuple(frozenset() for _ in parts)
    if latin:
        words = _LATIN_WORD_RE.findall(text)
        parts = tuple(word for word in words if word not in _STOPWORDS)
        runs = [
            (set(words[i : j + 1]), "".join(words[i : j + 1]))
            for i in range(len(words))
            for j in range(i + 1, len(words))
        ]
        joined = tuple(frozenset(run for held, run in runs if part in held) for part in parts)
    needed = max(1, math.ceil(MIN_GRAM_SHARE * len(_grams(text))))
    return _Variant(series_id, text, latin, parts, joined, needed)


def _variants(series: Series) -> Iterator[_Variant]:
    def folded(title: str) -> str:
        return " ".join(clean(fold(title)).split())

    japanese = folded(series.title_ja)
    yield _variant(series.id, japanese, False, tuple(_KANJI_RUN_RE.findall(japanese)))
    yield _variant(series.id, folded(series.title_en).removeprefix("the "), True, ())
    yield _variant(series.id, folded(series.title_romaji), True, ())


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """The words of all titles: a message word that is one of them is no typo of another."""

    latin: frozenset[str]
    # Each kanji run of a title, and the longer runs of other titles that hold it:
    # 「歌姫」 holds 「姫」 but is no mention of it.
    longer_runs: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, variants: Iterable[_Variant]) -> _Vocabulary:
        latin: set[str] = set()
        runs: set[str] = set()
        for variant in variants:
            (latin if variant.latin else runs).update(variant.parts)
        longer = {run: tuple(o for o in runs if run in o and o != run) for run in runs}
        return cls(frozenset(latin), longer)

    def word_held(self, part: str, joined: frozenset[str], words: list[str]) -> bool:
        """Whether the stretch's ``words`` hold a content word of a Latin title."""
        if part in words or not joined.isdisjoint(words):
            return True
        if len(part) <= SHORT_LATIN_PART:
            return False
        return any(
            fuzz.ratio(part, word) >= PART_CUTOFF for word in words if word not in self.latin
        )

    def run_held(self, part: str, runs: list[str], stretch: str) -> bool:
        """Whether the message's kanji ``runs`` around the stretch hold a kanji run of a title."""
        longer = self.longer_runs.get(part, ())
        if any(part in run and not any(other in run for other in longer) for run in runs):
            return True
        if len(part) <= SHORT_JAPANESE_PART:
            return False
        # One wrong kanji in a run of four or more: 「錬金術士」 for 「錬金術師」.
        size = len(part)
        return any(
            fuzz.ratio(part, stretch[i : i + size]) >= JAPANESE_PART_CUTOFF
            for i in range(len(stretch) - size + 1)
        )


class _Message:
    """The cleaned folded message, with its Latin words and kanji runs found when needed."""

    def __init__(self, folded: str) -> None:
        self.text = clean(folded)
        self._word_edges: tuple[list[int], list[int]] | None = None
        self._runs: list[tuple[int, int]] | None = None

    def word_edges(self) -> tuple[list[int], list[int]]:
        """Where the Latin words start, and where they end."""
        if self._word_edges is None:
            spans = [match.span() for match in _LATIN_WORD_RE.finditer(self.text)]
            self._word_edges = [start for start, _ in spans], [end for _, end in spans]
        return self._word_edges

    def verbatim(self, title: str, latin: bool) -> tuple[float, int, int] | None:
        """The first place the title is written out in full (as whole words if Latin)."""
        start = self.text.find(title)
        while start != -1:
            end = start + len(title)
            if not latin or (not _is_latin(self.text, start - 1) and not _is_latin(self.text, end)):
                return 100.0, start, end
            start = self.text.find(title, start + 1)
        return None

    def runs_over(self, start: int, end: int) -> list[str]:
        """The whole kanji runs that overlap ``text[start:end]``."""
        if self._runs is None:
            self._runs = [match.span() for match in _KANJI_RUN_RE.finditer(self.text)]
        return [self.text[s:e] for s, e in self._runs if s < end and start < e]


def _is_latin(text: str, index: int) -> bool:
    """Whether ``text[index]`` is a Latin letter or digit (kana are word characters too)."""
    return 0 <= index < len(text) and ("a" <= text[index] <= "z" or "0" <= text[index] <= "9")


class SeriesGazetteer:
    """Finds series titles in folded text; build it once (see :meth:`bundled`)."""

    def __init__(self, series: Iterable[Series]) -> None:
        variants: dict[tuple[str, str], _Variant] = {}
        for one in series:
            for variant in _variants(one):
                variants.setdefault((variant.series_id, variant.text), variant)
        self._variants = tuple(variants.values())
        self._vocabulary = _Vocabulary.of(self._variants)
        postings: dict[str, list[int]] = {}
        for position, variant in enumerate(self._variants):
            for gram in _grams(variant.text):
                postings.setdefault(gram, []).append(position)
        self._postings = {gram: tuple(positions) for gram, positions in postings.items()}

    @classmethod
    def bundled(cls) -> SeriesGazetteer:
        """The gazetteer of the bundled catalog, built once per process."""
        return _bundled_series()

    def find(self, folded: str) -> list[SeriesMention]:
        """At most :data:`MAX_SERIES` series named in ``folded`` (see :func:`fold`), best first.

        Mentions do not overlap; of two overlapping ones the better-scored wins,
        then the longer (the better-covered title).
        """
        message = _Message(folded)
        postings = self._postings
        hits = Counter(chain.from_iterable(postings.get(gram, ()) for gram in _grams(message.text)))
        variants = self._variants
        candidates = sorted(
            (-count / variants[position].grams_needed, position)
            for position, count in hits.items()
            if count >= variants[position].grams_needed
        )
        mentions = [
            mention
            for _, position in candidates[:MAX_CANDIDATES]
            if (mention := self._verify(variants[position], message)) is not None
        ]
        mentions.sort(key=lambda m: (-m.score, m.start - m.end, m.start))
        chosen: list[SeriesMention] = []
        for mention in mentions:
            if len(chosen) < MAX_SERIES and all(
                mention.series_id != other.series_id
                and (mention.end <= other.start or other.end <= mention.start)
                for other in chosen
            ):
                chosen.append(mention)
        return chosen

    def _verify(self, variant: _Variant, message: _Message) -> SeriesMention | None:
        found = message.verbatim(variant.text, variant.latin) or self._align(variant, message)
        if found is None:
            return None
        score, start, end = found
        stretch = message.text[start:end]
        vocabulary = self._vocabulary
        if variant.latin:
            words = _LATIN_WORD_RE.findall(stretch)
            held = all(
                vocabulary.word_held(part, joined, words)
                for part, joined in zip(variant.parts, variant.joined, strict=True)
            )
        else:
            runs = message.runs_over(start, end)
            held = all(vocabulary.run_held(part, runs, stretch) for part in variant.parts)
        return SeriesMention(variant.series_id, start, end, score) if held else None

    @staticmethod
    def _align(variant: _Variant, message: _Message) -> tuple[float, int, int] | None:
        """The best fuzzy stretch for the title: its ratio, start and end, if over the cutoff."""
        text = message.text
        cutoff = LATIN_CUTOFF if variant.latin else JAPANESE_CUTOFF
        if not variant.latin and len(variant.text) <= SHORT_JAPANESE_TITLE:
            return None  # short Japanese titles only match verbatim
        aligned = fuzz.partial_ratio_alignment(
            variant.text, text, score_cutoff=cutoff - ALIGN_SLACK
        )
        if aligned is None:
            return None
        if variant.latin:
            # Whole words only: a title never matches half a word.
            word_starts, word_ends = message.word_edges()
            starts = _around(word_starts, aligned.dest_start)
            ends = _around(word_ends, aligned.dest_end)
        else:
            starts = list(range(max(0, aligned.dest_start - 2), aligned.dest_start + 3))
            ends = list(
                range(max(1, aligned.dest_end - 2), min(len(text), aligned.dest_end + 2) + 1)
            )
        best = max(
            ((fuzz.ratio(variant.text, text[s:e]), s, e) for s in starts for e in ends if s < e),
            default=(0.0, 0, 0),
        )
        return best if best[0] >= cutoff else None


def _around(edges: list[int], position: int) -> list[int]:
    """The two edges before ``position`` and the two at or after it."""
    cut = bisect_left(edges, position)
    return edges[max(0, cut - 2) : cut + 2]


# Words for a genre or demographic beyond the catalog's own names (which are
# added from the store). English entries are regexes matched as whole words;
# Japanese ones are regexes matched anywhere.
# fmt: off
GENRE_WORDS_EN: dict[str, tuple[str, ...]] = {
    "action": (r"martial[\s-]arts", r"fighting", r"battles?"),
    "adventure": (r"adventures?", r"adventurous"),
    "fantasy": (r"fantasies",),
    "isekai": (r"(?:an)?other[\s-]?worlds?", r"reincarnat(?:ed|ion)"),
    "romance": (r"romances?", r"romantic", r"rom[\s-]?coms?", r"love[\s-]?stor(?:y|ies)"),
    "slice_of_life": (r"iyashikei", r"every[\s-]?day life", r"daily life"),
    "sports": (r"sports?", r"baseball", r"soccer", r"football", r"basketball", r"volleyball"),
    "mystery": (r"myster(?:y|ies)", r"detectives?", r"whodunn?its?"),
    "horror": (r"horrors?", r"scary", r"creepy", r"spooky"),
    "sci_fi": (r"sci[\s-]?fi", r"sf", r"science[\s-]fiction", r"space opera", r"mecha"),
    "comedy": (r"comed(?:y|ies)", r"comedic", r"funny", r"humou?r(?:ous)?", r"gags?", r"hilarious"),
    "historical": (r"historical", r"period (?:drama|piece)s?", r"samurai", r"feudal"),
    "cooking": (r"cooking", r"food(?:ie)?", r"gourmet", r"culinary", r"recipes?", r"cuisine"),
    "drama": (r"dramas?",),
    "music": (r"music(?:al|ians?)?", r"idols?"),
}
GENRE_WORDS_JA: dict[str, tuple[str, ...]] = {
    "action": ("バトル", "格闘"),
    "adventure": (),
    "fantasy": ("ファンタジ",),
    "isekai": ("転生", "転移"),
    "romance": ("ラブコメ", "ラブストーリー", "ロマンス", "恋物語"),
    "slice_of_life": ("癒し系", "ほのぼの"),
    "sports": ("スポ根", "野球", "サッカー", "バスケ", "テニス"),
    "mystery": ("ミステリ", "推理", "探偵"),
    "horror": ("怖い", "こわい", "恐怖", "怪談"),
    "sci_fi": ("宇宙", "ロボット"),
    "comedy": ("ギャグ", "お笑い", "笑える"),
    "historical": ("時代劇", "時代物", "時代もの", "戦国", "幕末", "侍"),
    "cooking": ("グルメ", "食べ物", "飯テロ"),
    "drama": (),
    "music": ("バンド", "アイドル", "楽器"),
}
DEMOGRAPHIC_WORDS_EN: dict[str, tuple[str, ...]] = {
    "shonen": (r"sh(?:o|ou|oo|ō)nen", r"boys'? manga", r"for boys"),
    "shojo": (r"sh(?:o|ou|oo|ō)j(?:o|ou|ō)", r"girls'? manga", r"for girls"),
    "seinen": (r"seinen",),
    "josei": (r"josei", r"women'?s manga", r"for women"),
    "kodomo": (r"kodomo(?:muke)?", r"kids'? manga", r"children'?s manga", r"for (?:kids|children)"),
}
DEMOGRAPHIC_WORDS_JA: dict[str, tuple[str, ...]] = {
    "shonen": (),
    "shojo": (),
    "seinen": (),
    "josei": ("レディース",),
    "kodomo": ("子供向け", "子ども向け", "こども向け", "キッズ"),
}
# Catalog names that need a guard against the words they hide in.
GUARDED_NAMES: dict[str, str] = {
    "action": r"action(?![\s-]?figures?)",
    "日常": "日常(?!的)",  # 日常的に: "routinely"
    "ドラマ": "ドラマ(?!化|cd)",  # a TV adaptation, a drama CD
    "少年": "(?<!青)少年",  # 青少年: "young people"
    "少女": "(?<!美)少女",  # 美少女: "pretty girl"
    "女性": "女性(?!の|が|は|を|と|に|キャラ|主人公)",  # 女性の主人公: a heroine, not a readership
}
# fmt: on


@dataclass(frozen=True, slots=True)
class LabelMention:
    """A genre or demographic named in a message; ``start`` indexes the normalized message."""

    kind: str
    value: str
    start: int


class LabelFinder:
    """Finds genres and demographics in NFKC-folded, lowercased text."""

    def __init__(self, genres: Iterable[Label], demographics: Iterable[Label]) -> None:
        english: list[str] = []
        japanese: list[str] = []
        self._labels: dict[str, tuple[str, str]] = {}
        for kind, labels, english_words, japanese_words in (
            ("genre", genres, GENRE_WORDS_EN, GENRE_WORDS_JA),
            ("demographic", demographics, DEMOGRAPHIC_WORDS_EN, DEMOGRAPHIC_WORDS_JA),
        ):
            for label in labels:
                group = f"{kind}_{len(self._labels)}"
                self._labels[group] = (kind, label.id)
                # A Japanese name in Latin letters (「SF」) is matched as an English word.
                names = [label.name_en, *label.name_ja.lower().split("・")]
                latin = [_name(name) for name in names if name.isascii()]
                latin += english_words.get(label.id, ())
                english.append(f"(?P<{group}>{'|'.join(latin)})")
                native = [_name(name) for name in names if not name.isascii()]
                native += japanese_words.get(label.id, ())
                if native:
                    japanese.append(f"(?P<{group}>{'|'.join(native)})")
        # Two scans beat one: the English one tries its words only where a word starts.
        self._english = re.compile(f"(?<![a-z])(?:{'|'.join(english)})(?![a-z])")
        self._japanese = re.compile("|".join(japanese))

    @classmethod
    def bundled(cls) -> LabelFinder:
        """The finder of the bundled catalog's genres and demographics, built once per process."""
        return _bundled_labels()

    def find(self, normalized: str) -> list[LabelMention]:
        """The genres and demographics in ``normalized``, in order of appearance."""
        matches = list(self._english.finditer(normalized))
        if not normalized.isascii():
            matches += self._japanese.finditer(normalized)
            matches.sort(key=lambda match: match.start())
        return [
            LabelMention(*self._labels[match.lastgroup or ""], match.start()) for match in matches
        ]


def _name(name: str) -> str:
    """A catalog name as a regex: spaces and hyphens may be either, "sci-fi" is "sci fi"."""
    if name in GUARDED_NAMES:
        return GUARDED_NAMES[name]
    words = re.split(r"[\s-]+", name.lower())
    return r"[\s-]?".join(re.escape(word) for word in words)


@cache
def _bundled_series() -> SeriesGazetteer:
    return SeriesGazetteer(load_store().series_by_id.values())


@cache
def _bundled_labels() -> LabelFinder:
    store = load_store()
    return LabelFinder(store.genres.values(), store.demographics.values())

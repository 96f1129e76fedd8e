import pytest

from connectors.knowledge.exceptions import KnowledgeBaseError
from connectors.knowledge.glossary import Glossary, bundled_glossary

SAMPLE = "# comment\nrefund\t返金|払い戻し\trefund|money back\nhome\t自宅\thome\n"


def test_a_concept_is_found_in_either_language() -> None:
    glossary = Glossary.from_tsv(SAMPLE)
    assert glossary.concepts_in("返金してほしい") == ["refund"]
    assert glossary.concepts_in("I want my MONEY BACK") == ["refund"]
    assert glossary.concepts_in("Refunds? 返金?") == ["refund", "refund"]


def test_english_terms_match_whole_words_only() -> None:
    glossary = Glossary.from_tsv(SAMPLE)
    assert glossary.concepts_in("homework") == []
    assert glossary.concepts_in("money in the bank") == []


def test_the_bundled_glossary_links_the_domain_vocabulary() -> None:
    glossary = bundled_glossary()
    pairs = [
        ("送料", "shipping fee"),
        ("返品", "return"),
        ("返金", "refund"),
        ("予約", "pre-order"),
    ]
    pairs += [("ポイント", "points"), ("離島", "remote island"), ("代引き", "cash on delivery")]
    for japanese, english in pairs:
        assert set(glossary.concepts_in(japanese)) & set(glossary.concepts_in(english)), japanese


def test_a_malformed_line_raises() -> None:
    with pytest.raises(KnowledgeBaseError, match="line 1"):
        Glossary.from_tsv("only\ttwo fields")

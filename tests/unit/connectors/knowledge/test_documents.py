from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

from connectors.knowledge.documents import bundled_documents, load_documents, parse_document
from connectors.knowledge.exceptions import KnowledgeBaseError
from mangaassist.errors import MangaAssistError

HEADER = (
    "---\nid: sample\nlang: en\ntitle_ja: 見本\ntitle_en: Sample\ntags: a, b\n"
    "synthetic: true\n---\n"
)


def test_the_bundled_knowledge_base_has_at_least_forty_synthetic_documents() -> None:
    documents = bundled_documents()
    assert len({doc.doc_id for doc in documents}) >= 40
    assert all(doc.synthetic for doc in documents)
    assert "synthetic" in files("connectors.knowledge").joinpath("docs/README.md").read_text(
        "utf-8"
    )


def test_most_documents_are_bilingual_and_some_are_in_one_language_only() -> None:
    languages = Counter(doc.doc_id for doc in bundled_documents())
    by_id = {doc.doc_id: doc.lang for doc in bundled_documents()}
    single = [doc_id for doc_id, count in languages.items() if count == 1]
    assert sum(count == 2 for count in languages.values()) >= 30
    assert sum(by_id[doc_id] == "en" for doc_id in single) >= 4
    assert sum(by_id[doc_id] == "ja" for doc_id in single) >= 4


def test_the_shipping_fee_is_the_same_everywhere() -> None:
    shipping = [doc for doc in bundled_documents() if doc.doc_id == "shipping-fees"]
    assert len(shipping) == 2
    assert all("350" in doc.body and "2,000" in doc.body for doc in shipping)
    assert not any(
        "送料は全国一律" in doc.body and "350" not in doc.body for doc in bundled_documents()
    )


def test_a_document_is_parsed_from_its_front_matter() -> None:
    doc = parse_document(HEADER + "## Heading\nBody.", "sample.md")
    assert (doc.doc_id, doc.lang, doc.title, doc.tags) == ("sample", "en", "Sample", ("a", "b"))
    assert doc.body == "## Heading\nBody."


@pytest.mark.parametrize(
    "raw",
    [
        "no front matter at all",
        "---\nid: sample\n",
        HEADER.replace("synthetic: true", "synthetic: false") + "Body.",
        HEADER.replace("lang: en", "lang: fr") + "Body.",
        HEADER.replace("id: sample", "id: Not An Id") + "Body.",
        HEADER.replace("tags: a, b", "tags a b") + "Body.",
        HEADER,
    ],
)
def test_malformed_documents_raise_a_knowledge_base_error(raw: str) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_document(raw, "sample.md")
    assert isinstance(caught.value, MangaAssistError)


def test_a_file_whose_name_disagrees_with_its_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ja").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "other.md").write_text(HEADER + "Body.", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="disagrees"):
        load_documents(tmp_path)

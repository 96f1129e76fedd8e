import re

from connectors.knowledge.chunking import MAX_CHARS, MIN_CHARS, chunk_documents, split_body
from connectors.knowledge.documents import bundled_documents


def test_chunk_ids_are_doc_id_and_a_running_number() -> None:
    chunks = chunk_documents(bundled_documents())
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)
    numbers: dict[str, list[int]] = {}
    for chunk in chunks:
        doc_id, number = re.fullmatch(r"([a-z0-9-]+)#(\d+)", chunk.chunk_id).groups()  # type: ignore[union-attr]
        assert doc_id == chunk.doc_id
        numbers.setdefault(doc_id, []).append(int(number))
    assert all(found == list(range(len(found))) for found in numbers.values())


def test_every_document_in_every_language_has_chunks_within_the_size_limit() -> None:
    documents = bundled_documents()
    chunks = chunk_documents(documents)
    assert {(doc.doc_id, doc.lang) for doc in documents} == {(c.doc_id, c.lang) for c in chunks}
    assert all(0 < len(chunk.text) <= MAX_CHARS for chunk in chunks)


def test_japanese_chunks_come_before_english_ones_of_the_same_document() -> None:
    chunks = [chunk for chunk in chunk_documents(bundled_documents()) if chunk.doc_id == "returns"]
    assert [chunk.lang for chunk in chunks] == sorted(
        (c.lang for c in chunks), key=["ja", "en"].index
    )


def test_long_sections_are_cut_at_sentence_ends_and_keep_their_heading() -> None:
    sentence = "This sentence is about forty-five characters. "
    pieces = split_body("## Long\n" + sentence * 40)
    assert len(pieces) > 1
    assert all(piece.startswith("Long\n") and len(piece) <= MAX_CHARS for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)


def test_long_japanese_paragraphs_are_cut_after_the_full_stop() -> None:
    pieces = split_body("送料は全国一律350円です。" * 60)
    assert len(pieces) > 1
    assert all(piece.endswith("。") and len(piece) <= MAX_CHARS for piece in pieces)


def test_short_sections_are_merged_with_the_next() -> None:
    pieces = split_body("## A\nShort one.\n\n## B\nAnother short one.")
    assert pieces == ["A\nShort one.\nB\nAnother short one."]


def test_sections_long_enough_to_stand_alone_stay_apart() -> None:
    body = f"## A\n{'a' * MIN_CHARS}\n\n## B\n{'b' * 100}"
    assert len(split_body(body)) == 2

"""Query expansion across vocabulary gaps, by the packaged model's input token embeddings."""

import numpy as np

from assistant.expansion import ExpansionSettings, Vocabulary, missing_words, nearest, related_terms, vocabulary
from assistant.lexical import Bm25Index, terms

TEXTS = ["The doctor treated the sailors.", "They wanted to buy a car near the sea.", "The harbour was closed in winter."]


def _frequency(index: Bm25Index):
    return index.document_frequency


def test_a_word_the_document_lacks_brings_the_document_words_nearest_to_it():
    index = Bm25Index.build(TEXTS)
    related = dict(related_terms("Which physician wanted to purchase an automobile by the ocean?", lambda: vocabulary(TEXTS), _frequency(index)))
    assert {"doctor", "buy", "car", "sea"} <= set(related)
    assert set(related.values()) == {0.5}
    assert "want" not in related  # the document has "wanted": nothing to bridge


def test_names_function_words_and_words_the_document_has_are_not_expanded():
    index = Bm25Index.build(TEXTS)
    assert missing_words("Did Ocean Physician buy the car?", _frequency(index)) == []  # names, or in the document
    assert missing_words("Where is the ocean, and what about it?", _frequency(index)) == ["ocean"]
    assert missing_words("What might it cost, and who would pay?", _frequency(index)) == ["cost", "pay"]  # not modals
    def unused():
        raise AssertionError("the vocabulary is built only for a question with a gap")

    assert related_terms("When was the harbour closed?", unused, _frequency(index)) == ()


def test_expansion_lets_bm25_find_the_unit_that_words_it_differently():
    index = Bm25Index.build(TEXTS)
    question = "Who purchased an automobile?"
    related = related_terms(question, lambda: vocabulary(TEXTS), _frequency(index))
    assert not index.scores(terms(question)).any()
    assert int(np.argmax(index.weighted_scores(related))) == 1


def test_nearest_keeps_the_closest_words_over_the_threshold_once_each():
    vocab = Vocabulary(("alpha", "beta", "gamma"), ("alph", "beta", "gamma"),
                       np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]]))
    queries = np.array([[1.0, 0.0], [0.6, 0.8]])
    settings = ExpansionSettings(similarity=0.5, per_word=1)
    assert nearest(queries, vocab, set(), settings) == ["alph", "beta"]  # the second query's best is "beta" (0.96)
    assert nearest(queries, vocab, {"alph"}, settings) == ["beta", "gamma"]
    assert nearest(queries[:1], vocab, set(), ExpansionSettings(similarity=0.9, per_word=3)) == ["alph"]
    assert nearest(queries, Vocabulary((), (), np.zeros((0, 2))), set()) == []


def test_the_engine_expands_hybrid_queries_only(tmp_path):
    from conftest import FakeEncoder

    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    (tmp_path / "doc.md").write_text("# Trade\n\n" + "\n\n".join(TEXTS) + "\n", encoding="utf-8")
    build_index(tmp_path / "doc.md", tmp_path / "index", encoder=FakeEncoder())
    assistant = Assistant.open(load_index(tmp_path / "index"), encoder=FakeEncoder())
    query = assistant.query("Did the Kremlin purchase an automobile?")
    assert query.aliases == (("kremlin", "russia"),) and {"buy", "car"} <= dict(query.related).keys()
    sentences = assistant.unit_scores("sentences", query).lexical
    assert "car" in assistant.document.sentences[int(np.argmax(sentences))].text
    plain = assistant.query("Did the Kremlin purchase an automobile?", expand=False)
    assert plain.aliases == () and plain.related == ()

"""Entity agreement: the names a question asks about, normalised, and where a document names them."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import entities


@pytest.mark.parametrize("question, expected", [
    ("What is Russia's position on Hezbollah?", ("russia", "hezbollah")),
    ("What does the Kremlin want from Tehran?", ("russia", "iran")),  # seats of power and capitals: their state
    ("How do Iranians view the Russians?", ("iran", "russia")),  # demonyms, plural
    ("Why did the U.S. leave, and what did the UK do?", ("united states", "united kingdom")),  # abbreviations
    ("What role does the IRGC play in Syria?", ("syria", "irgc")),  # acronyms
    ("Do the Sunnis and the Sunni's leaders agree?", ("sunni",)),  # plural and possessive: one key
    ("How do Iran-backed militias fight?", ("iran",)),  # the lower-case part of a hyphenated word is no name
    ("What does Saudi Arabia want?", ("saudi arabia",)),  # a state of two words stays one name
    ("Why does the paper matter?", ()),
])
def test_names_of_a_question_are_normalised(question, expected):
    assert entities.names(question) == expected


def test_a_sentence_opening_word_is_a_name_only_where_the_document_uses_it_as_one():
    texts = ["Hezbollah fights in Syria.", "Israel watches Hezbollah closely.", "However the war goes on."]
    doc = entities.document_names(texts, np.array([0, 0, 1]))
    np.testing.assert_array_equal(doc.postings["hezbollah"], [0, 1])  # the first sentence's opening word counts
    assert "however" not in doc.postings and "israel" in doc.postings  # a state counts wherever it stands


def test_agreement_reads_sentence_window_and_paragraph():
    texts = [
        "Russia sells arms in the region.",  # 0, paragraph 0: Russia only
        "It also trains officers there.",  # 1, paragraph 0: neither (Russia in its window)
        "Moscow's weapons reach Hezbollah through Iran.",  # 2, paragraph 1: both (Moscow -> Russia)
        "For Iran, Hezbollah is its only ally.",  # 3, paragraph 2: Hezbollah only
        "The route runs through Damascus.",  # 4, paragraph 3: neither, nor its paragraph
    ]
    doc = entities.document_names(texts, np.array([0, 0, 1, 2, 3]))
    sentence, window, paragraph = entities.agreement(entities.names("What is Russia's position on Hezbollah?"), doc,
                                                     np.arange(5))
    np.testing.assert_allclose(sentence, [0.5, 1.0, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(window, [0.5, 0.5, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(paragraph, [0.5, 0.5, 0.0, 0.5, 1.0])
    assert (window <= sentence).all() and (paragraph <= window).all()


def test_agreement_is_zero_when_the_question_names_nothing_the_document_holds():
    doc = entities.document_names(["Russia sells arms.", "Iran buys them."], np.array([0, 1]))
    for asked in ((), entities.names("What does Japan want?")):
        assert all((column == 0).all() for column in entities.agreement(asked, doc, np.array([0, 1])))

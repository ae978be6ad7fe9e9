"""Questions asking what a term is are answered by the sentence that defines it (definitions.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import answer, definitions
from assistant.structure import display_text, parse


@pytest.mark.parametrize("question, term", [
    ("What is a tablet?", "tablet"),
    ("What are vector clocks?", "vector clocks"),
    ("Define balancing.", "balancing"),
    ("What does bandwagoning mean?", "bandwagoning"),
    ("What does the term 'Shia crescent' mean?", "Shia crescent"),
    ("What is meant by defence balance?", "defence balance"),
    ("How do the authors define balancing?", "balancing"),
    ("What are nuclear receptors (NRs)?", "nuclear receptors"),
    ("What is the acronym MERS-CoV?", "MERS-CoV"),
    ("What is an impasse in MEXICA?", "impasse"),  # the system it belongs to is no part of the term
    ("What is a tablet in Bigtable?", "tablet"),
    ("What is the role of Iran in Syria?", None),
    ("What is the main argument?", None),  # an aspect of the paper
    ("What is Russia's goal in Syria?", None),  # a topic, not a term
    ("What is the role of Iran in Syria?", None),
    ("What is Anastasia Goncharova studying?", None),  # what someone does
    ("Why do states balance?", None),
])
def test_the_term_a_question_asks_to_define(question, term):
    assert definitions.defined_term(question) == term


@pytest.mark.parametrize("sentence, term, defines", [
    ("Each row range is called a tablet, which is the unit of distribution.", "tablet", True),
    ("A vector clock is effectively a list of (node, counter) pairs.", "vector clocks", True),
    ("Bigtable relies on a lock service called Chubby.", "Chubby", True),
    ("We call this list the tract locator table, or TLT.", "tract locator table", True),
    ("The rest should be sent via stop-and-copy – we dub this latter set of pages the writable working set (WWS).",
     "writable working set", True),
    ("In this essay I will discuss what I call “affective computing,” computing that relates to emotions.", "affective computing", True),
    ("Balancing is alignment with the weaker side; bandwagoning means to choose the stronger.", "bandwagoning", True),
    ("This paper describes Dynamo, a highly available key-value store.", "Dynamo", True),
    ("Perfect secrecy is defined by requiring that the cryptogram tells nothing.", "perfect secrecy", True),
    ("We present Essentia 2.0, an extensive open-source library for audio analysis.", "Essentia", True),
    ("An application programming interface, or API, is the set of symbols exported by a library.", "API", True),
    ("An application programming interface (API) is the set of symbols exported by a library.", "API", True),
    ("An impasse is declared when the system cannot match a structure in memory.", "impasse", True),
    ("APIs, or interfaces, are hard to change.", "API", False),  # the term is the named thing, not its gloss
    ("Baker (2005) defined gaming the system as “attempting to succeed by exploiting the system”.", "gaming the system", True),
    ("An impasse is declared invalid by the judge.", "impasse", False),
    ("APIs are usually the result of a design process.", "API", False),
    ("When a tablet is unassigned, the master assigns it.", "tablet", False),  # uses the term
    ("Each tablet is assigned to one tablet server at a time.", "tablet", False),  # a passive, not a definition
    ("The tablet server handles reads.", "tablet", False),
    ("A vector clock is not enough on its own.", "vector clock", False),
    ("Tidy data is only worthwhile if it makes analysis easier.", "tidy data", False),
    ("Freenet is currently being developed as a free software project.", "Freenet", False),
    ("After melting, the column names often combine several variables.", "melting", False),
])
def test_a_sentence_defines_a_term_or_uses_it(sentence, term, defines):
    assert definitions.defines(sentence, term) is defines


DOC = """\
# Storage

## Tablets

When a tablet is unassigned, the master assigns the tablet to a tablet server with room for the tablet.

Tablet servers can be added or removed. Each row range is called a tablet, which is the unit of distribution.
"""


def test_a_definition_question_leads_with_the_defining_sentence():
    doc = parse(DOC, markdown=True)
    texts = [display_text(s.text) for s in doc.sentences]
    scores = np.array([0.9, 0.1, 0.6])  # the sentence repeating "tablet" scores best
    mask = np.ones(len(texts), dtype=bool)
    chosen = answer.select_sentences(doc, scores, mask, "What is a tablet?").sentence_ids
    assert texts[chosen[0]].startswith("Each row range is called a tablet")
    plain = answer.select_sentences(doc, scores, mask, "What is a tablet?",
                                    settings=answer.ShapeSettings(definitions=False)).sentence_ids
    assert texts[plain[0]].startswith("When a tablet is unassigned")  # without the rule, the usual best leads
    # another question is answered as before
    assert answer.select_sentences(doc, scores, mask, "When does the master assign a tablet?").sentence_ids[0] == 0


@pytest.mark.parametrize("text, acronym, long_form", [
    ("Recently, the interferon-induced transmembrane (IFITM) family has been studied.", "IFITM", "interferon-induced transmembrane"),
    ("Influenza and respiratory syncytial virus (RSV) cause substantial mortality.", "RSV", "respiratory syncytial virus"),
    ("The Islamic Revolutionary Guard Corps (IRGC).", "IRGC", "Islamic Revolutionary Guard Corps"),
    ("at the Centre for Middle East Strategic Studies (CMESS), and", "CMESS", "Centre for Middle East Strategic Studies"),
    ("A physician in full protective gear (PPE) entered the plane.", "PPE", None),  # "full", "gear": no letter of PPE
    ("They wore PPE (PPE) throughout.", "PPE", None),  # the acronym itself is no long form
    ("Rates of RSV (see Table 2) rose.", "RSV", None),
])
def test_an_acronym_is_spelled_out_by_the_words_before_it_in_parentheses(text, acronym, long_form):
    """definitions.spells_out: Schwartz and Hearst's long-form search."""
    assert definitions.spells_out(text, acronym) == long_form


def test_a_sentence_spelling_out_the_acronym_asked_about_defines_it():
    assert definitions.defined_term("What is RSV?") == "RSV" and definitions.is_acronym("RSV")
    assert definitions.defines("Influenza and respiratory syncytial virus (RSV) cause substantial mortality.", "RSV")
    assert not definitions.defines("RSV infections peak in winter.", "RSV")
    assert not definitions.is_acronym("Carrageenan") and not definitions.is_acronym("Middle East")

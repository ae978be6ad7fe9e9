"""Capitals standing for their state add the state's name to a question's BM25 terms."""

from assistant.metonyms import states_named


def test_a_capital_or_seat_of_power_names_its_state():
    assert states_named("What does Tehran get out of its ties with the Kremlin?") == ["Iran", "Russia"]
    assert states_named("Why did Washington and New Delhi disagree?") == ["United States", "India"]


def test_a_state_the_text_already_names_is_not_added_twice():
    assert states_named("Moscow's view of Russia's role") == []
    assert states_named("How did Moscow see the USSR's collapse?") == ["Russia", "Soviet Union"]


def test_only_whole_names_count():
    assert states_named("Muscovites and Parisians") == []
    assert states_named("the romeo clause") == []
    assert states_named("Tehran-backed and pro-Moscow militias") == ["Iran", "Russia"]
    assert states_named("") == []


def test_without_capitals_blanks_only_the_names_that_stand_for_a_state():
    from assistant.metonyms import without_capitals

    assert without_capitals("What does Tehran get out of its ties with the Kremlin?").split() == \
        "What does get out of its ties with the ?".split()
    assert without_capitals("Why did New Delhi and Muscovites disagree?").split() == "Why did and Muscovites disagree?".split()
    assert without_capitals("no names here") == "no names here"


def test_bm25_searches_the_state_instead_of_the_capital_but_the_question_keeps_its_terms():
    import numpy as np

    from assistant.engine import Assistant

    class Fake:
        def encode(self, texts):
            return np.ones((len(texts), 4), np.float32) / 2

    query = Assistant(index=None, encoder=Fake()).query("What does Tehran want from the Kremlin?")  # type: ignore[arg-type]
    assert set(query.stand_ins) == {"tehran", "kremlin"}
    assert "tehran" in query.terms and "iran" in query.terms and "russia" in query.terms
    assert "tehran" not in query.search_terms and {"iran", "russia", "want"} <= set(query.search_terms)
    plain = Assistant(index=None, encoder=Fake()).query("What does Tehran want?", expand=False)  # type: ignore[arg-type]
    assert plain.search_terms == list(plain.terms) and "iran" not in plain.terms

"""BM25 terms and scores: a capital and the state it stands for count as one term."""

import numpy as np
import pytest

from assistant.engine import aliases
from assistant.lexical import Bm25Index, alias_scores, terms
from assistant.metonyms import standing_for

FILLER = [
    "Iran and Russia signed several accords.", "Russia views Iran as a partner.", "Iran expanded its influence.",
    "Russia returned to the region.", "Iran and Russia held talks.", "Russia sold arms to Iran.",
]


def test_a_capital_scores_as_its_state_where_the_state_is_the_more_common_name():
    index = Bm25Index.build(["Moscow backed the plan.", "Russia backed the plan.", *FILLER])
    plain = index.scores(["moscow", "russia"])
    folded = index.scores(["moscow", "russia"], {"moscow": "russia"})
    assert plain[0] > plain[1]  # the rarer capital outweighs the state it names
    assert folded[0] == pytest.approx(folded[1])  # one term, the state's (lower) idf
    assert folded[1] == pytest.approx(index.scores(["russia"])[1])  # the pair counts once, not twice
    assert folded[-1] == pytest.approx(plain[-1])  # a unit naming only the state is scored as before


def test_two_capitals_no_longer_outrank_the_sentence_that_holds_the_question_s_word():
    texts = ["Moscow shares several interests with Tehran.", "Russia helps Iran evade sanctions through barter.", *FILLER]
    index = Bm25Index.build(texts)
    question = "How does Moscow help Tehran with sanctions?"
    named = standing_for(question)
    query = terms(question) + [t for t in terms(" ".join(state for _, state in named)) if t not in terms(question)]
    assert int(np.argmax(index.scores(query))) == 0
    assert int(np.argmax(index.scores(query, dict(aliases(named))))) == 1


def test_alias_scores_takes_the_larger_term_part_at_the_lower_idf():
    own, other = np.array([3.0, 0.0, 3.0]), np.array([0.0, 1.0, 1.0])  # idf 3 and 1: term parts 1,0,1 and 0,1,1
    assert alias_scores(own, 3.0, other, 1.0).tolist() == [1.0, 1.0, 1.0]
    assert alias_scores(own, 3.0, np.zeros(3), 0.0).tolist() == [3.0, 0.0, 3.0]  # a state no unit names: own idf
    assert alias_scores(np.zeros(3), 0.0, np.zeros(3), 0.0).tolist() == [0.0, 0.0, 0.0]


def test_only_one_term_names_on_both_sides_are_paired():
    assert aliases(standing_for("What does Tehran want from the Kremlin?")) == (("tehran", "iran"), ("kremlin", "russia"))
    assert aliases(standing_for("Why did Riyadh and Buenos Aires meet?")) == ()  # "Saudi Arabia", "Buenos Aires": two terms
    assert aliases(standing_for("Moscow's view of Russia's role")) == ()  # the state is named already

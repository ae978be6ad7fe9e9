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


def test_a_saved_index_scores_as_bm25s_does_bit_for_bit(tmp_path):
    import random

    import bm25s

    texts = [*FILLER, "Moscow backed the plan twice.", "Sanctions were imposed on Iran in 2018 and again in 2019.", ""]
    Bm25Index.build(texts).save(tmp_path)
    theirs = bm25s.BM25.load(str(tmp_path), allow_pickle=False, show_progress=False)
    ours = Bm25Index.load(tmp_path)
    assert ours._model is None  # read with numpy and json, not through bm25s
    vocabulary = sorted(t for t in theirs.vocab_dict if t)  # bm25s ends its vocabulary with "", which has no row
    rng = random.Random(0)
    for _ in range(100):
        query = rng.sample(vocabulary, rng.randint(1, 5))
        query += query[:1]  # a repeated term counts twice, as in bm25s
        expected = theirs.get_scores(query)
        got = ours.get_scores([*query, "zanzibar", ""])  # an unknown term adds nothing
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    assert ours.num_docs == len(texts) and ours.document_frequency(terms("Iran")[0]) == 6


def test_the_stopword_lists_are_bm25s_own():
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS

    from assistant.lexical import bm25s_stopwords

    assert bm25s_stopwords() == (tuple(STOPWORDS_EN), tuple(STOPWORDS_EN_PLUS))


def test_answering_from_a_saved_index_does_not_import_bm25s(tmp_path):
    """bm25s imports scipy.sparse and tqdm (about 0.12 s of a one-shot question): reading and scoring
    a saved index, and the question's terms, need none of them."""
    import subprocess
    import sys

    Bm25Index.build(FILLER).save(tmp_path)
    code = ("import sys\nfrom assistant.lexical import Bm25Index, terms\nfrom assistant.expansion import common_words\n"
            f"scores = Bm25Index.load({str(tmp_path)!r}).scores(terms('Which accords did Russia sign?'))\n"
            "assert scores.argmax() == 0 and 'about' in common_words()\n"
            "print(sorted(m for m in ('bm25s', 'scipy', 'tqdm') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

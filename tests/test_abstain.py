"""The abstention signals as pure functions: what kind of fact a question asks for, and whether an answer gives it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant import abstain


@pytest.mark.parametrize("question, noun", [
    ("How many Russian soldiers have died in Syria since 2015?", "soldiers"),
    ("How many members sit on the committee?", "members"),
    ("For how many years did Russia secure its lease?", "years"),
    ("How many agreements?", "agreements"),
    ("How much money has Russia spent?", None),
    ("What is the capital of Syria?", None),
])
def test_counted_noun_is_the_head_of_the_counted_phrase(question, noun):
    assert abstain.counted_noun(question) == noun


@pytest.mark.parametrize("question, answer, found", [
    # a count must count the thing asked about, not be any number at all
    ("How many countries does Iran link?", "as a liaison between fifteen countries.", True),
    ("How many cooperation agreements were signed?", "fourteen agreements on cooperation were signed", True),
    ("How many soldiers died in Syria?", "Only 3 percent of the population are Muslims.", False),
    ("How many times did Putin visit Tehran?", "There were three periods of policy.", False),
    ("How many soldiers died?", "No number here.", False),
    # a sum of money needs a currency or a magnitude, a share needs a percentage
    ("How much money did Russia spend in Syria?", "Iran has spent over $16 billion since 2012.", True),
    ("How much money did Russia spend in Syria?", "It sent three squadrons to Syria.", False),
    ("What share of Russia's population is Muslim?", "Only 3 percent of population of Russia", True),
    ("What percentage of imports come from Russia?", "Russia sells arms to four allies.", False),
    # no counted noun: any new number will do, but not one the question already gives
    ("How long was the Iran-Iraq war?", "The war lasted eight years.", True),
    ("How long did the 8 talks take?", "The 8 talks went on.", False),
])
def test_finds_quantity(question, answer, found):
    assert abstain.finds_quantity(question, answer) is found


@pytest.mark.parametrize("question, kind", [
    ("When did Russia launch its first airstrikes?", "date"),
    ("In what year did Iran join?", "date"),
    ("How many warships are at Tartus?", "number"),
    ("What proportion of voters agreed?", "number"),
    ("What is the population of Tehran?", "number"),
    ("What was Russia's defence budget last year?", "number"),
    ("What is the value of cooperation?", "number"),  # a quantity word, even where it means something else
    ("What was the annual budget of the agency?", "number"),
    ("Who commanded the Quds Force?", "name"),
    ("Which Iranian general coordinated the campaign?", "name"),
    ("Which three countries are guarantors?", "name"),
    ("Which Israeli prime minister met Putin?", "name"),
    ("What cache hit rate does the store achieve in production?", "number"),  # a measure a work reports
    ("What bandwidth and latency did the prototype achieve?", "number"),
    ("How quickly can an algorithm solve the knapsack problem?", None),  # "in less than quadratic time"
    ("Why does Russia support Assad?", None),
    ("What factors restrain Iran?", None),
    ("Why would counting contexts work better than counting how often a word appears?", None),
])
def test_expected_type(question, kind):
    assert abstain.expected_type(question) == kind


def test_fact_questions_carry_their_own_intercept_and_dense_slope():
    def signals(question):
        return abstain.signals(np.array([0.6, 0.5]), np.array([3.0]), [1, 0], [2.0, 5.0], [], question,
                               "It began in 2015.", 1.0).as_dict()

    fact, open_question = signals("When did it begin?"), signals("Why did it begin?")
    assert fact["asks_fact"] == 1.0 and fact["asks_fact_dense"] == pytest.approx(0.6)
    assert fact["type_mismatch"] == 0.0  # 2015 is a new date
    assert open_question["asks_fact"] == 0.0 and open_question["asks_fact_dense"] == 0.0
    assert open_question["term_coverage"] == pytest.approx(2.0 / 7.0)


def test_a_model_fitted_before_a_signal_existed_gives_it_no_weight(tmp_path, monkeypatch):
    path = tmp_path / "abstain.json"
    older = {name: 1.0 for name in abstain.FEATURES if not name.startswith("asks_fact")}
    path.write_text(json.dumps({"weights": older, "bias": -2.0, "threshold": 0.4}), encoding="utf-8")
    monkeypatch.setattr(abstain, "model_path", lambda: path)
    abstain.load_model.cache_clear()
    try:
        model = abstain.load_model()
        assert dict(zip(abstain.FEATURES, model.weights))["asks_fact"] == 0.0
        assert model.threshold == 0.4 and model.fitted_sha256 == ()
    finally:
        abstain.load_model.cache_clear()


@pytest.mark.parametrize("content", [None, "{}", '{"weights": {}, "bias": -1.0}', "not json"])
def test_a_missing_or_broken_model_file_fails_loudly(tmp_path, monkeypatch, content):
    from assistant.errors import AssistantError

    path = tmp_path / "abstain.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(abstain, "model_path", lambda: path)
    abstain.load_model.cache_clear()
    try:
        with pytest.raises(AssistantError, match="abstention model .* is missing or broken"):
            abstain.load_model()
    finally:
        abstain.load_model.cache_clear()


def test_the_shipped_model_holds_weights_only():
    data = json.loads(abstain.model_path().read_text(encoding="utf-8"))
    assert set(data) <= {"weights", "bias", "threshold", "fitted_sha256", "veto"}
    assert set(data["weights"]) == set(abstain.FEATURES)
    if "veto" in data:
        assert set(data["veto"]) == {"weights", "bias", "threshold"}
        assert set(data["veto"]["weights"]) == set(abstain.VETO_FEATURES)
    assert all(len(sha) == 64 for sha in data["fitted_sha256"])
    model = abstain.model_from_json(data)
    assert model.fitted_on(data["fitted_sha256"][0]) and not model.fitted_on(None)


@pytest.mark.parametrize("answer, found", [
    ("The first lighthouse on the islands was lit in 1794 on North Ronaldsay.", True),  # before 1800
    ("The abbey was founded in 1066.", True),
    ("It was automated in 1998.", True),
    ("It was lit by the keepers at night.", False),
])
def test_a_when_question_finds_any_year_from_1000(answer, found):
    assert abstain.finds_new("date", "When was the first lighthouse on the islands lit?", answer) is found


# -- SQuAD-2.0-style negatives made from answerable questions (abstain_fit) ---------------------


@pytest.mark.parametrize("question, expected", [
    ("What is the incubation period of MERS?", "What is not the incubation period of MERS?"),
    ("How long did patients stay in hospital?", "How long did not patients stay in hospital?"),
    ("Which virus was found in bats?", "Which virus was not found in bats?"),
    ("Why is it not known?", None),  # already negated at its only auxiliary
    ("Name the receptor of SARS-CoV.", None),  # no auxiliary verb to negate
])
def test_negated_inserts_not_after_the_first_auxiliary(question, expected):
    from assistant.abstain_fit import negated

    assert negated(question) == expected


def test_renumbered_changes_a_year_a_little_and_other_numbers_by_a_factor():
    from assistant.abstain_fit import renumbered

    rng = np.random.default_rng(0)
    year = renumbered("What happened in 2003 in Hong Kong?", rng)
    assert year is not None and year != "What happened in 2003 in Hong Kong?"
    assert 1990 <= int(year.split()[3]) <= 2010
    count = renumbered("Why did 45 patients die?", rng)
    assert count is not None and count.split()[2] in {"22.5", "90", "135", "450"}
    assert renumbered("Why did patients die?", rng) is None


def test_swapped_replaces_the_rarest_present_word_with_a_word_the_document_lacks():
    from assistant.abstain_fit import swapped

    df = {"incub": 3, "period": 20, "mer": 5}.get
    rng = np.random.default_rng(0)
    out = swapped("What is the incubation period of MERS?", lambda t: df(t, 0), ["period", "zebrafish"], rng)
    assert out == "What is the zebrafish period of MERS?"  # "period" is in the document: never a donor
    assert swapped("What is it?", lambda t: df(t, 0), ["zebrafish"], rng) is None  # nothing present to swap
    assert swapped("What is the incubation period?", lambda t: df(t, 0), ["period"], rng) is None  # no donor


def test_perturbed_dispatches_on_the_kind():
    from assistant.abstain_fit import PERTURBATIONS, perturbed

    rng = np.random.default_rng(0)
    outs = {kind: perturbed("What was the rate in 2003?", kind, lambda t: 1 if t == "rate" else 0, ["kidney"], rng)
            for kind in PERTURBATIONS}
    assert outs["negate"] == "What was not the rate in 2003?"
    assert outs["swap"] == "What was the kidney in 2003?"
    assert outs["number"] is not None and "2003" not in outs["number"]


@pytest.mark.parametrize("question, answer, found", [
    # the thing counted may come just before the number ("cases of 108 per 100,000")
    ("In 2010, how many cases of tuberculosis were estimated?", "a prevalence of all TB cases of 108 per 100,000", True),
    ("How many deaths were reported?", "Deaths reported: 12 by March.", True),
    ("How many soldiers died in Syria?", "Only 3 percent of the population are Muslims.", False),
])
def test_a_count_may_follow_its_noun(question, answer, found):
    assert abstain.finds_quantity(question, answer) is found


@pytest.mark.parametrize("question, answer, found", [
    # "when" answered relative to an event, or by a season, is a date of a kind
    ("When does the infectivity peak?", "infectivity peaked at around 10 days after illness onset", True),
    ("When did she present with weakness?", "She presented 1 month later with weakness", True),
    ("When do infections usually happen?", "Infections peak in winter.", True),
    ("When did it peak 10 days after onset?", "It peaked 10 days after onset.", False),  # the question gave it
    ("When did the war start?", "The war was long and costly.", False),
])
def test_a_relative_time_answers_when(question, answer, found):
    assert abstain.finds_new("date", question, answer) is found


@pytest.mark.parametrize("answer", [
    "in the first half of the 10th century",
    "during the 10th and 11th centuries",
    "in the eleventh century",
    "served in the 1050s",
])
def test_a_century_or_a_decade_answers_when(answer):
    assert abstain.finds_new("date", "When did the Normans arrive?", answer)


def test_grouped_cv_scores_each_document_with_a_model_that_never_saw_it():
    from assistant.abstain_fit import SignalSet, grouped_cv

    rng = np.random.default_rng(0)

    def document(name, n, flipped=False):
        y = np.array([1.0, 0.0] * n)
        signal = (y if not flipped else 1 - y) + rng.normal(0, 0.1, len(y))
        return SignalSet(name, np.column_stack([signal, rng.normal(0, 1, len(y))]), y)

    paper = [document("gold", 20)]
    documents = [document(f"d{i}", 6) for i in range(9)]
    report = grouped_cv(paper, documents, n_folds=5)
    assert report["gold"]["abstain_on_unanswerable"] == 1.0 and report["gold"]["answered_on_answerable"] == 1.0
    assert report["documents (pooled)"]["answered_on_answerable"] == 1.0
    # a document whose signal runs the other way is scored by models that never saw it: all wrong
    odd = grouped_cv(paper, [*documents, document("odd", 3, flipped=True)], n_folds=5)["documents (pooled)"]
    assert odd["answered_on_answerable"] <= 54 / 57 and odd["abstain_on_unanswerable"] <= 54 / 57


def test_covid_signal_set_keeps_only_foreign_questions_the_paper_does_not_answer(tmp_path, fake_encoder):
    from assistant.abstain_fit import covid_signal_set
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.squad import SquadQuestion, index_squad

    context = ("Bats carry many coronaviruses. The incubation period of the virus is five days. "
               "Most patients recovered within two weeks of admission in 2003.")
    qas = [{"id": "a", "question": "What is the incubation period of the virus?", "answers": [{"text": "five days", "answer_start": 0}]},
           {"id": "b", "question": "When did most patients recover?", "answers": [{"text": "within two weeks", "answer_start": 0}]}]
    squad_file = tmp_path / "paper.json"
    squad_file.write_text(json.dumps({"data": [{"title": "Bats", "paragraphs": [{"context": context, "qas": qas}]}]}))
    indexed = index_squad(squad_file, tmp_path, encoder=fake_encoder)
    assistant = Assistant(load_index(indexed.index_dir), fake_encoder)
    others = [SquadQuestion("x", "Which animals carry coronaviruses?", ("Bats",), False),  # this paper answers it
              SquadQuestion("y", "What vaccine was tested in mice?", ("mRNA vaccine",), False),
              SquadQuestion("z", "Which receptor does the spike bind?", ("ACE2",), False)]
    plain = covid_signal_set(assistant, squad_file, others, perturb=False, seed=0)
    assert list(plain.y) == [1.0, 1.0, 0.0, 0.0]  # its 2 questions, then 2 foreign ones: never "x"
    both = covid_signal_set(assistant, squad_file, others, perturb=True, seed=0)
    assert list(both.y) == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]  # plus one perturbed variant of each of its questions
    assert both.x.shape == (6, len(abstain.FEATURES))


def test_signal_matrix_asks_a_gold_follow_up_with_its_context():
    from assistant.abstain_fit import signal_matrix
    from assistant.followup import contextualize
    from assistant.gold import GoldItem

    class Recording:  # records what the fit asks; the signals themselves are the question's length
        asked: list = []

        def signals_for(self, question, context=None):
            self.asked.append((question, context))
            return abstain.Signals((float(len(question)),) * len(abstain.FEATURES))

    first = GoldItem("q1", "What are Iran's goals in the Middle East?", "", (), "factoid")
    second = GoldItem("q2", "And what about Russia?", "", (), "followup", context="q1")
    rows = signal_matrix(Recording(), [first, second])
    assert rows.shape == (2, len(abstain.FEATURES))
    assert Recording.asked == [(first.question, None), (second.question, contextualize(second.question, first.question))]
    assert Recording.asked[1][1]  # a follow-up gets a context


def test_alignment_leaves_out_stopword_pieces_keeps_negations_and_weighs_by_idf():
    pieces = ["what", "is", "not", "stated", "big", "##o"]
    idf = np.array([5.0, 4.0, 2.0, 1.0, 1.0, 2.0])
    best = np.array([0.1, 0.1, 0.3, 0.9, 0.8, 0.7])  # "what" and "is" never count, however weak
    weakest, rare, second, under5, under6, mean = abstain.alignment(pieces, idf, best)
    assert weakest == pytest.approx(0.3) and second == pytest.approx(0.7)
    assert rare == pytest.approx(0.3)  # the three rarest kept pieces: "not", "##o", then "stated" (stable order)
    assert under5 == pytest.approx(2 / 6) and under6 == pytest.approx(2 / 6)
    assert mean == pytest.approx((0.6 + 0.9 + 0.8 + 1.4) / 6)
    assert abstain.alignment(["what", "the"], np.ones(2), np.zeros(2)) == (1.0, 1.0, 1.0, 0.0, 0.0, 1.0)


def test_a_veto_abstains_on_a_question_the_answer_model_would_answer():
    signals = abstain.Signals((0.9, 0.5, 1.0, 0.0, 0.0, 1.0, 0.8, 0.0, 0.0))
    answering = dict(weights=(10.0,) + (0.0,) * (len(abstain.FEATURES) - 1), bias=0.0, threshold=0.5)
    veto = abstain.Veto((0.0,) * len(abstain.VETO_FEATURES), bias=0.0, threshold=0.4)  # probability 0.5 > 0.4
    aligned = abstain.veto_features(signals, (0.2, 0.2, 0.5, 0.3, 0.4, 0.7))
    assert list(aligned[:3]) == [0.9, 0.5, 1.0] and list(aligned[-6:]) == [0.2, 0.2, 0.5, 0.3, 0.4, 0.7]
    assert not abstain.Model(**answering).abstains(signals, aligned)
    assert abstain.Model(**answering, veto=veto).abstains(signals, aligned)
    assert not abstain.Model(**answering, veto=veto).abstains(signals, None)  # no token vectors: no veto
    data = {**abstain.model_json(answering["weights"], 0.0, 0.5, []), "veto": abstain.veto_json(veto.weights, 0.0, 0.4)}
    assert abstain.model_from_json(data).veto == veto
    assert abstain.model_from_json(abstain.model_json(answering["weights"], 0.0, 0.5, [])).veto is None


def test_the_veto_threshold_vetoes_no_guarded_question_and_the_fit_separates_altered_copies():
    from assistant.abstain_fit import VetoSet, fit_veto, guard_threshold, veto_grouped_cv

    assert guard_threshold(np.array([0.2, 0.8765431])) == pytest.approx(0.876544)  # rounded up, never down
    rng = np.random.default_rng(0)
    width = len(abstain.VETO_FEATURES)

    def document(name: str) -> VetoSet:  # own questions match well (weakest piece high), altered ones do not
        own = rng.normal(0.0, 0.1, (8, width)) + np.eye(width)[8] * 0.9
        altered = rng.normal(0.0, 0.1, (8, width)) + np.eye(width)[8] * 0.2
        return VetoSet(name, np.vstack([own, altered]), np.array([0.0] * 8 + [1.0] * 8),
                       ("own",) * 8 + ("swap",) * 8, np.ones(16, dtype=bool))

    documents = [document(f"d{i}") for i in range(5)]
    guard = np.vstack([d.x[d.altered == 0] for d in documents])
    weights, bias, threshold = fit_veto(documents, guard)
    p = 1 / (1 + np.exp(-(guard @ weights + bias)))
    assert np.all(p <= threshold)
    altered = np.vstack([d.x[d.altered == 1] for d in documents])
    assert np.mean(1 / (1 + np.exp(-(altered @ weights + bias))) > threshold) > 0.5
    report = veto_grouped_cv(documents, guard)
    assert report["by_kind"]["own"]["abstained_with_veto"] == 0.0  # the guard holds every document's own questions
    assert report["by_kind"]["swap"]["abstained_with_veto"] > report["by_kind"]["swap"]["abstained_before"]
    assert set(report["answered_own_per_document"]) == {f"d{i}" for i in range(5)}


def test_abstention_inputs_give_the_veto_a_row_from_the_answers_token_vectors(tmp_path, fake_encoder):
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.squad import index_squad

    context = ("Bats carry many coronaviruses. The incubation period of the virus is five days. "
               "Most patients recovered within two weeks of admission in 2003.")
    qas = [{"id": "a", "question": "What is the incubation period of the virus?", "answers": [{"text": "five days", "answer_start": 0}]}]
    squad_file = tmp_path / "paper.json"
    squad_file.write_text(json.dumps({"data": [{"title": "Bats", "paragraphs": [{"context": context, "qas": qas}]}]}))
    assistant = Assistant(load_index(index_squad(squad_file, tmp_path, encoder=fake_encoder).index_dir), fake_encoder)
    signals, features, paper_level = assistant.abstention_inputs_for("What is the incubation period of the virus?")
    assert features is not None and features.shape == (len(abstain.VETO_FEATURES),) and not paper_level
    assert signals == assistant.signals_for("What is the incubation period of the virus?")
    named = dict(zip(abstain.VETO_FEATURES, features))
    assert named["weakest_piece"] == pytest.approx(1.0, abs=1e-5)  # every word piece is in the answer sentence
    assert named["unmatched_05"] == 0.0


@pytest.mark.slow
def test_the_shipped_veto_abstains_on_no_dev_question_the_answer_model_answers(paper_assistant):
    """The veto's guard (abstain_fit.guard_threshold) holds for the shipped models: refit the veto
    after the answer model or the ranker changes (python -m assistant.abstain_fit --veto)."""
    from assistant import paths
    from assistant.abstain_fit import _labels, abstention_rows
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold

    model = abstain.load_model()
    assert model.veto is not None
    for name in ("gold.jsonl", "gold_reader_dev.jsonl"):
        items = load_gold(paths.default_gold().with_name(name))
        contexts = follow_up_contexts(items)
        x, answered, kept = abstention_rows(paper_assistant, [(i.question, contexts.get(i.id)) for i in items], model)
        answerable = _labels(items)[kept] == 1
        assert answered.sum() > 100 if name == "gold.jsonl" else answered.sum() > 60
        vetoed = np.array([model.veto.vetoes(row) for row in x])
        assert not np.any(vetoed & answered & answerable), name


def test_fit_pooled_weighs_each_set_by_its_weight_and_places_the_threshold_on_every_set():
    from assistant.abstain_fit import SignalSet, _probabilities, choose_threshold, document_weights, fit_pooled

    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] + 0.7 * rng.normal(size=60) > 0.0).astype(float)
    gold, only = SignalSet("gold", x[:40], y[:40]), SignalSet("only", x[40:], y[40:], weight=0.25)
    weights, bias, threshold = fit_pooled([gold, only], 0.8)
    groups = np.r_[np.zeros(40, dtype=np.int64), np.ones(20, dtype=np.int64)]
    expected = abstain.fit(x, y, sample_weight=document_weights(groups) * np.where(groups == 1, 0.25, 1.0))
    assert np.allclose(weights, expected[0], atol=1e-12) and bias == pytest.approx(expected[1], abs=1e-12)
    assert threshold == choose_threshold(_probabilities(x, weights, bias), y, 0.8, groups=groups)
    full = fit_pooled([gold, SignalSet("only", x[40:], y[40:])], 0.8)
    assert not np.allclose(weights, full[0], atol=1e-4)  # the weight matters


def test_decided_signals_leave_out_questions_answered_from_the_overview():
    from assistant.abstain_fit import decided_signals
    from assistant.gold import GoldItem

    class Overview:  # a question with "paper" in it is answered from the overview, as the engine does
        def abstention_inputs_for(self, question, context=None):
            values = (float(len(question)),) * len(abstain.FEATURES)
            return abstain.Signals(values), None, "paper" in question

    items = [GoldItem("a", "What does the paper conclude?", "x", ("x",), "paper_level"),
             GoldItem("b", "Who signed the treaty?", "", (), "unanswerable"),
             GoldItem("c", "When was it signed?", "1998", ("1998",), "factoid")]
    x, y = decided_signals(Overview(), items)
    assert x.shape == (2, len(abstain.FEATURES)) and list(y) == [0.0, 1.0]
    assert x[:, 0].tolist() == [float(len(items[1].question)), float(len(items[2].question))]
    empty_x, empty_y = decided_signals(Overview(), items[:1])
    assert empty_x.shape == (0, len(abstain.FEATURES)) and len(empty_y) == 0


def test_the_fit_only_questions_are_on_the_paper_and_checked():
    """source/gold_abstain_fit.jsonl: fit-only questions, none of them a dev or validation question,
    the answerable ones quoting the paper exactly."""
    from assistant import paths
    from assistant.gold import load_gold

    folder = paths.default_gold().parent
    only = load_gold(folder / "gold_abstain_fit.jsonl")
    text = paths.default_source().read_text(encoding="utf-8")
    assert sum(not item.answerable for item in only) >= 60
    for item in only:
        assert all(quote in text for quote in item.evidence), item.id
        assert bool(item.evidence) == item.answerable, item.id
    others = {item.question.lower() for name in ("gold.jsonl", "gold_reader_dev.jsonl", "gold_reader_val.jsonl")
              for item in load_gold(folder / name)}
    assert not others & {item.question.lower() for item in only}


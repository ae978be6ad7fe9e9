"""Extractive answers: pick the paper's own sentences, cite them, or abstain."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assistant import definitions, entities, metonyms
from assistant.lexical import terms
from assistant.records import Chunk, CitedNote, Citation, Document, Passage, Sentence
from assistant.structure import display_text, table_caption, table_columns
from assistant.text import INLINE_ITEM_MARK, ITEM_OPENING, LIST_ITEM, cut_marks, stops_short

_SOURCE_WORDS = re.compile(r"\b(sources?|cites?|cited|citing|citation|references?|notes?|footnotes?|wrote|written|author of|published|article|journal|report)\b", re.I)


@dataclass(frozen=True)
class Selection:
    sentence_ids: tuple[int, ...]  # answer order: runs in reading order, the best sentence's run first
    enumeration: bool
    floor: float = 0.0  # the least confidence a rule that chose them is worth (overview.attribute_floor)


_ASKS_REASON = re.compile(r"^\s*(?:why\b|how come\b|for what reason\b|what (?:is|are|was|were) the (?:main )?(?:reasons?|causes?|motives?)\b"
                          r"|what (?:makes?|made|keeps?|kept|drives?|drove|explains?|motivates?|motivated|causes?|caused|led|leads?|prompt(?:s|ed)?)\b)", re.I)
# "since" as a cause, not a time ("since 2015", "since the collapse of ...")
_GIVES_CAUSE = re.compile(r"\b(?:because|since(?!\s+(?:\d|then|the\s+\d|the\s+(?:end|beginning|start|collapse|early|late|mid)))|due to|owing to|"
                          r"explained by|the reasons? (?:for|why|is|was|behind)|as a result|so that|in order to|caused by|"
                          r"driven by|motivated by|stems? from|for fear|lest|given that|thanks to|on account of|hence)\b", re.I)


# Meant difference: ``fitting_lead`` moves a run ahead of the likeliest one only on a cause stated in so many
# words, so "since" (often of time: "since its involvement in the Syrian civil war in 2015"), "as a result",
# "hence", "lest" and "thanks to" do not count there; "for this reason" and "this is why" do.
_STATES_CAUSE = re.compile(r"\b(?:because|due to|owing to|explained by|the reasons? (?:for|why|is|was|behind)|so that|in order to|"
                           r"caused by|driven by|motivated by|stems? from|for fear|given that|on account of|for this reason|"
                           r"this is why|that is why)\b", re.I)


def asks_reason(question: str) -> bool:
    """Does the question ask for a cause or a motive ("Why ...?", "What keeps ... from ...?")?"""
    return bool(_ASKS_REASON.search(question))


def states_cause(text: str) -> bool:
    """Does the sentence state a cause or a purpose ("because", "due to", "explained by", "in order to" ...)?"""
    return bool(_GIVES_CAUSE.search(display_text(text)))


def _reason_after(doc: Document, best: int) -> int | None:
    """The sentence right after ``best`` in its paragraph when it states a cause and ``best`` does not
    (a "why" question's best match often restates the question; the next sentence gives the reason)."""
    after = best + 1
    if after < len(doc.sentences) and _adjacent(doc, best, after) and states_cause(doc.sentences[after].text) \
            and not states_cause(doc.sentences[best].text):
        return after
    return None


def wants_sources(question: str) -> bool:
    return bool(_SOURCE_WORDS.search(question))


def candidate_mask(doc: Document, question: str) -> np.ndarray:
    """Notes are answers only to questions about sources; everything else is body text."""
    return np.ones(len(doc.sentences), dtype=bool) if wants_sources(question) else body_sentences(doc)


SOURCE_SECTIONS = frozenset({"notes", "references"})  # section kinds that list sources


def body_sentences(doc: Document) -> np.ndarray:
    """Per sentence: is it outside the notes and the reference list? (What ``candidate_mask`` allows a
    question not about sources: "23. S. Milgram, "The small world problem," ..." answered "What problem
    does this paper address?")"""
    sections = {s.id: s.kind for s in doc.sections}
    listed = {p.id: p.kind == "note" or sections[p.section] in SOURCE_SECTIONS for p in doc.paragraphs}
    alone = Counter(s.paragraph for s in doc.sentences)
    return np.array([not listed[s.paragraph] and not (alone[s.paragraph] == 1 and doc.paragraphs[s.paragraph].kind == "body"
                                                      and _BARE_HEADING.fullmatch(" ".join(s.text.split())))
                     for s in doc.sentences], dtype=bool)


# A numbered heading the PDF did not set apart, left a paragraph of its own ("8 Conclusion", "IV. RESULTS"):
# it answered "What does the paper conclude?" on PageRank.
_BARE_HEADING = re.compile(r"(?:\d+(?:\.\d+)*\.?|[IVXL]+\.)\s+[A-Z][^\W\d_’'&,:-]*(?:\s+[^\W\d’'&,:-]+){0,5}")  # words, no figures


@dataclass(frozen=True)
class ShapeSettings:
    """Which sentences an answer takes besides the best one (scores are the fused sentence scores;
    "coverage" is the share of the question's idf-weighted terms a sentence adds to those already chosen)."""

    far: float = 0.85  # a sentence elsewhere in the document is considered at >= far * the best score ...
    new_terms_far: float = 0.1  # ... and joins only when it adds at least this coverage ...
    sure: float = 0.9  # ... or scores >= sure * the best (a near tie: the ranking cannot tell them apart)
    near: float = 0.75  # a sentence right before or after a chosen one (same paragraph) joins at >= near * the best ...
    new_terms_near: float = 0.0  # ... when it adds at least this coverage (0: its score is enough; more loses evidence)
    leant_on: float = 0.7  # the sentence before a best one that opens with a contrast ("However, ...") joins at this
    max_sentences: int = 3  # at most this many scored sentences (a list, a table column, discourse neighbours aside)
    pool: int = 12  # only the best-scored sentences up to this rank are considered
    reason_follows: bool = True  # a "why" question: the next sentence joins when it gives the cause the best one lacks
    # With the ranker's probabilities, joining.py's fitted model can decide who joins instead of the
    # bars above: a sentence joins when the chance it adds is >= word_cost per 20 of its words. At
    # a7de9e6 (word cost 0.02; bars -> model) evidence hit / median words: gold.jsonl 0.905 / 45 ->
    # 0.913 / 45, reader dev 0.679 / 65 -> 0.692 / 62, COVID-QA training papers 0.670 / 50 -> 0.687 / 47
    # (bench/answer_shape.py). Off: with abstain.json and confidence.json refitted on its answers the
    # CV answered rate on gold.jsonl is 0.952 (floor 0.96) and the validation set's evidence hit falls
    # 0.738 -> 0.714; at word cost 0.015 the floors hold but validation gains no hit for 10 more words.
    # Tenth round (joining.json refitted on 81 COVID-QA papers + dev gold; word cost 0.025 chosen on dev +
    # COVID-QA): evidence hit / median words gold.jsonl 113 / 45 -> 114 / 42.5, reader dev 54 / 52 -> 55 / 52,
    # COVID-QA train 0.679 / 48 -> 0.689 / 46, validation 31 / 56 -> 31 / 58. With confidence.json refitted
    # (joining.SET_FEATURES read, paper questions weighing 6) gold.jsonl's paired AUROC holds (0.868 vs
    # 0.864), but on the held-out reader set, measured once, Brier 0.175 -> 0.183 (ceiling 0.177), paired
    # AUROC 0.849 -> 0.819 and median words 54.5 -> 69: off.
    learned: bool = False
    lead_by_evidence: bool = True  # with the ranker's probabilities: the run likeliest to hold the answer leads
    word_cost: float = 0.02  # ... a sentence joins when the chance of the answer it adds is >= this per 20 of its words
    least_words: int = 10  # ... counting a shorter sentence as this long (a stub such as "Table 1." is no cheaper)
    least_probability: float = 0.0  # ... and never below this probability of holding the answer
    # With the ranker's probabilities: the sentence it finds likeliest to hold the answer joins the
    # score bars' answer when it is at least this many times as likely as every sentence they chose,
    # in place of the last one to join when the answer is full (0: off). Off: with ranker.json fitted
    # on all 81 COVID-QA training papers + gold.jsonl and 2.0 here, evidence hit / median words went
    # gold.jsonl 0.905 / 45 -> 0.913 / 45, reader dev 0.679 / 65 -> 0.705 / 65, validation 0.738 / 61 ->
    # 0.738 / 57, abstention and its CV unchanged, but the refitted confidence's AUROC on gold.jsonl
    # fell 0.876 -> 0.835 (floor 0.87): an unanswerable question answered (q149) and a miss (q053)
    # gained confidence once the ranker's sentence was shown. With the 15-paper ranker it gains no
    # reader-dev hit (gold.jsonl 0.913, AUROC 0.858).
    ranker_joins: float = 0.0
    # With the ranker's probabilities: a run of sentences that joined the lead by the score bars alone
    # (not the best sentence's, nor what it brings: a list, a cause, an example) stays only when the
    # ranker finds it at least this share as likely to hold the answer as the likeliest run (0: off).
    # With retrieval.FusionSettings.lead_passage 0.3, 0 -> 0.2 took median words gold.jsonl 45 = ,
    # reader dev 63 -> 52, validation 61 -> 56, COVID-QA training papers 51 -> 48, for evidence hit
    # gold.jsonl =, reader dev 55 -> 54 of 78, COVID-QA 0.681 -> 0.679 (0.1: 59 words; 0.3: as 0.2 on
    # the paper, 0.671 on COVID-QA without the passage lead).
    run_share: float = 0.2
    # The sentence right after the lead's run (same paragraph) joins when it opens by pointing back at it ("In
    # this case, Russia acts as an interlocutor." / "It has the same role between Israel and Iran."): it goes on
    # about what the lead names (``continuation``). Twenty-fifth round, evidence hit: gold.jsonl 114 -> 115 of 126,
    # reader dev 57 -> 58 of 78, blind dev 40 -> 42 of 67, validation 31 =, COVID-QA training papers 722 -> 727 of
    # 1,066, none lost; 25 of 325 dev answers longer by 9-30 words (medians up at most 1.5 words; COVID-QA 50 -> 51).
    # Every run, not only the lead's: no more hits, 2 more words on gold.jsonl. Applied inside select_sentences, the
    # abstention and confidence models read the longer answer they were not fitted on (the CI guard's paired
    # confidence AUROC on gold_heldout fell 0.0005 over its tolerance, twenty-fifth round: shipped off). Since the
    # twenty-sixth round the engine adds the sentence after those decisions (engine.Ranked.continued), so they are
    # the same with it or without; dev confidence AUROC gold.jsonl 0.865 -> 0.894, reader dev 0.813 -> 0.842, blind
    # dev 0.703 -> 0.701, validation =.
    continues: bool = True
    # A question asking what a term is ("What is a tablet?": definitions.py) leads with the best-scored
    # sentence of the pool that defines the term, when one does; the others join as they would have
    # joined the best-scored sentence, and the definition's run comes first.
    definitions: bool = True
    # The lead must fit the question (``fitting_lead``): a run naming the state asked about, for a "why"
    # question one stating a cause, leads when the likeliest run does not.
    lead_fits: bool = True


SHAPE = ShapeSettings()


def select_sentences(doc: Document, scores: np.ndarray, mask: np.ndarray, question: str = "",
                     weights: Mapping[str, float] | None = None, settings: ShapeSettings = SHAPE,
                     evidence: Mapping[int, float] | None = None, lead: np.ndarray | None = None,
                     peers: frozenset[str] = frozenset(), bars: np.ndarray | None = None) -> Selection:
    """The sentence that best answers, then only the sentences it needs: a list it introduces, a
    table column the question names, what it announces or points back to, for a question asking
    why the next sentence when it states the cause the best one lacks, a neighbour that scores
    nearly as well, and a sentence elsewhere only when it scores nearly as well and holds question
    terms the answer lacks (or is a near tie).

    An adjacent sentence of the same paragraph needs a lower score (``settings.near`` of the
    best) than a distant one (``settings.far``): answers often run over two sentences. ``weights``
    weighs the question's terms (idf; the terms of ``question`` weigh 1 when None). When the best
    sentence is in a table, the answer is the table's caption and the column(s) the ``question``
    names (see ``table_answer``). The answer leads with the best sentence's run (``answer_order``),
    unless the ranker says otherwise (below).

    Given ``evidence``, the ranker's probability that each candidate sentence holds the answer, the
    answer leads with the run of the sentence likeliest to hold it (``settings.lead_by_evidence``),
    and with ``settings.learned`` the other sentences join by joining.py's fitted model instead of
    the score bars; with ``settings.run_share`` a run elsewhere that joined on its score alone stays
    only when the ranker finds it nearly as likely as the likeliest (``likely_runs``).

    ``lead``, when given, scores which sentence is the best (retrieval.lead_scores: the passage ranked
    first); the others join on ``scores``, measured against the best's. ``peers``: the states the paper
    compares (``peer_states``), read by ``fitting_lead``. ``bars``, when given, are the scores the join
    bars are measured on instead (the score before the e5 term, retrieval.with_second: the bars were set
    on its scale; a large e5 term shrinks every other sentence's share of the best), while ``scores`` still
    order the sentences that may join.
    """
    masked = np.where(mask, scores, -np.inf)
    leading = masked if lead is None else np.where(mask, lead, -np.inf)  # what picks the best sentence
    best = top_id = _best_statement(doc, leading, question)
    defining = defining_sentence(doc, masked, question, settings.pool) if settings.definitions else None
    if defining is not None:
        best = defining
    listing = _enumeration(doc, best) or table_answer(doc, best, question)
    if listing and best != listing[0] and _ASKS_QUANTITY.search(question) and _states_quantity(doc, best):
        return Selection(tuple(sid for sid in (listing[0], best) if sid == best or _introduces(doc, sid)), True)
    if listing:
        return Selection(tuple(listing), True)
    weights = weights if weights is not None else dict.fromkeys(terms(question), 1.0)
    total = sum(weights.values()) or 1.0
    top = float(masked[top_id])  # a definition leads, but the bars stay those of the best-scored sentence
    chosen = [best] + _discourse_neighbours(doc, best)
    chosen += [sid for sid in (_referent(doc, best, question),) if sid is not None and sid not in chosen]
    if settings.reason_follows and asks_reason(question):
        chosen += [sid for sid in (_reason_after(doc, best),) if sid is not None and sid not in chosen]
    example = _example(doc, masked, best, chosen, min(settings.near, settings.far) * float(masked[best])) \
        if _ASKS_EXAMPLE.search(question) else None
    chosen += [example] if example is not None else []
    if settings.learned and evidence is not None:  # an example asked for and given completes the answer
        given = example is not None or (_ASKS_EXAMPLE.search(question) and _gives_example(doc, best))
        room = 0 if given else settings.max_sentences - 1
        return _learned_selection(doc, masked, best, chosen, weights, evidence, settings, room)
    kept = list(chosen)  # what the best sentence brings, before any sentence joins by its score
    covered = set().union(*(_terms(doc, c) for c in chosen))
    barred = masked if bars is None else np.where(mask, bars, -np.inf)
    bar_top = top if bars is None else float(barred[top_id])
    floor = min(settings.near, settings.far, settings.leant_on) * bar_top
    by_score = np.argsort(-masked) if bar_top > 0 else np.zeros(0, dtype=np.int64)  # 0: no share of it to measure
    for sid in by_score[by_score != best][: settings.pool - 1]:  # the best-scored after the best (``lead`` may pick another)
        sid = int(sid)
        if len(chosen) >= settings.max_sentences:
            break
        if barred[sid] < floor:
            if bars is None:
                break  # in score order: none after it clears the floor either
            continue
        if sid in chosen or _duplicate(doc, sid, chosen) or _states_nothing(doc, sid, question):
            continue
        adds = sum(w for t, w in weights.items() if t in _terms(doc, sid) and t not in covered) / total
        if _joins(doc, sid, best, chosen, float(barred[sid]) / bar_top, adds, settings):
            chosen.append(sid)
            covered |= _terms(doc, sid)
    if evidence is not None and settings.ranker_joins:
        chosen = _with_ranker_top(doc, chosen, mask, evidence, settings)
    whole = whole_sentences(doc, chosen)
    listed = {intro: items for intro in whole if display_text(doc.sentences[intro].text).endswith(":")
              and (items := (_enumeration(doc, intro)[1:] or _marked_next(doc, intro))[:MAX_LIST_ITEMS])}  # a joined "... goals:" brings its items
    whole += [i for items in listed.values() for i in items if i not in whole]
    kept += [i for intro, items in listed.items() for i in (intro, *items)]
    if evidence is not None and settings.run_share and not wants_sources(question):
        whole = likely_runs(doc, whole, kept, evidence, settings.run_share)
    whole, columns = captions_completed(doc, whole, best, question)
    listed.update(columns)  # a column follows its caption as a list its introduction
    ranked = likelihood(len(doc.sentences), evidence) if evidence is not None and settings.lead_by_evidence else leading
    order = ranked.astype(float)  # a copy
    if best != top_id:  # the definition's run leads
        order[best] = np.inf
    for intro, items in listed.items():  # each item right after its introduction, in reading order
        order[items] = [order[intro] - 1e-9 * (k + 1) for k in range(len(items))]
    if best == top_id and settings.lead_fits:
        order = fitting_lead(doc, whole, order, question, peers)
    ordered = answer_order(doc, whole, order)
    return Selection(readable(doc, continuation(doc, ordered) if settings.continues else ordered), False)


def fitting_lead(doc: Document, chosen: list[int], order: np.ndarray, question: str,
                 peers: frozenset[str] = frozenset()) -> np.ndarray:
    """``order`` with another run of ``chosen`` first when the leading run does not fit the question and
    that run does. Either the question asks about one of ``peers`` (the two states a comparative paper
    names most: ``peer_states``), the lead names only the other one and opens with no pronoun that could
    stand for the one asked ("Why is Syria important to Iran?" led by "... Syria's role is very important
    to Russia ..."; not "Thus, it supports ..."), and the other run names the one asked (alone, if one
    does). Or a "why" question's lead states no cause and the other run does ("... can be explained by
    ..."). The likeliest such run moves up; the rest keep their order."""
    grouped = runs(doc, tuple(sorted(chosen)))
    if len(grouped) < 2 or not np.isfinite(order[list(chosen)]).all():
        return order
    grouped.sort(key=lambda run: -max(float(order[sid]) for sid in run))
    lead, others = grouped[0], grouped[1:]
    text = lambda run: " ".join(display_text(doc.sentences[sid].text) for sid in run)
    asked = _states_in(question) & peers
    better = None
    if len(asked) == 1 and len(peers) == 2:
        in_lead = _states_in(text(lead)) & peers
        if in_lead == peers - asked and not _POINTS_BACK.match(text(lead)):
            naming = [(run, _states_in(text(run)) & peers) for run in others]  # the one asked alone, else with the other
            better = next((run for run, named in naming if named == asked), None) or next(
                (run for run, named in naming if asked <= named), None)
    if better is None and asks_reason(question) and not _STATES_CAUSE.search(text(lead)):
        better = next((run for run in others if _STATES_CAUSE.search(text(run))), None)
    if better is None:
        return order
    out = order.astype(float)
    out[list(better)] = max(float(order[sid]) for sid in lead) + 1.0
    return out


def _states_in(text: str) -> set[str]:
    """The states ``text`` names, in any written form (entities.names: "Tehran", "Iranian": iran)."""
    return {name for name in entities.names(text) if name in _STATE_KEYS}


_STATE_KEYS = frozenset(state.lower() for state in metonyms.STATES)
_POINTS_BACK = re.compile(r"^(?:(?:thus|so|hence|therefore|moreover|however|also|still|yet|meanwhile|in (?:other words|addition)|"
                          r"at the same time),?\s+)?(?:it|its|they|their|this|these|such|both|the (?:country|state|former|latter))\b", re.I)


def peer_states(names: entities.Names, share: float = 0.1) -> frozenset[str]:
    """The two states a comparative paper names most, each in at least ``share`` of its sentences
    (the paper: iran and russia), or none."""
    counts = sorted(((len(ids), key) for key, ids in names.postings.items() if key in _STATE_KEYS), reverse=True)[:2]
    n = len(names.paragraph)
    return frozenset(key for count, key in counts) if len(counts) == 2 and counts[1][0] >= share * n else frozenset()


def defining_sentence(doc: Document, masked: np.ndarray, question: str, pool: int) -> int | None:
    """For a question asking what a term is, the best-scored of the ``pool`` best sentences that defines
    it (definitions.defines), else the best-scored of the others ("We present Essentia 2.0, an ..." in an
    abstract that a short question finds no better than a hundred others), or None."""
    term = definitions.defined_term(question)
    if term is None:
        return None
    order = np.argsort(-masked)
    for sid in order[:pool]:
        if np.isfinite(masked[sid]) and definitions.defines(display_text(doc.sentences[int(sid)].text), term):
            return int(sid)
    named = [int(sid) for sid in order[pool:] if np.isfinite(masked[sid]) and definitions.names_term(doc.sentences[int(sid)].text, term)]
    return next((sid for sid in named if definitions.defines(display_text(doc.sentences[sid].text), term)), None)


def likely_runs(doc: Document, chosen: list[int], kept: list[int], evidence: Mapping[int, float],
                share: float) -> list[int]:
    """``chosen`` without the runs (adjacent sentences of one paragraph) that hold none of ``kept``
    and that the ranker finds less than ``share`` as likely to hold the answer as the likeliest run
    (a run's probability is its likeliest sentence's; a sentence it did not score counts 0)."""
    grouped = runs(doc, tuple(sorted(chosen)))
    chance = [max(evidence.get(sid, 0.0) for sid in run) for run in grouped]
    bar = share * max(chance)
    return [sid for run, p in zip(grouped, chance) if p >= bar or any(sid in kept for sid in run) for sid in run]


def _with_ranker_top(doc: Document, chosen: list[int], mask: np.ndarray, evidence: Mapping[int, float],
                     settings: ShapeSettings) -> list[int]:
    """``chosen`` with the ranker's likeliest sentence when the score bars left it out and the ranker
    finds it at least ``settings.ranker_joins`` times as likely to hold the answer as every chosen one;
    it takes the place of the last sentence to join when ``chosen`` is full (``settings.max_sentences``)."""
    allowed = {sid: p for sid, p in evidence.items() if mask[sid]}
    if not allowed:
        return chosen
    top = max(allowed, key=lambda sid: (allowed[sid], -sid))
    if top in chosen or _duplicate(doc, top, chosen):
        return chosen
    if allowed[top] < settings.ranker_joins * max(evidence.get(sid, 0.0) for sid in chosen):
        return chosen
    if len(chosen) >= settings.max_sentences:  # the answer is full: the last to join gives way
        chosen = chosen[:-1]
    return chosen + [top]


def likelihood(n: int, evidence: Mapping[int, float]) -> np.ndarray:
    """Per sentence, the ranker's probability that it holds the answer (-1 where it has none)."""
    out = np.full(n, -1.0)
    out[list(evidence)] = list(evidence.values())
    return out


def _learned_selection(doc: Document, masked: np.ndarray, best: int, chosen: list[int], weights: Mapping[str, float],
                       evidence: Mapping[int, float], settings: ShapeSettings, room: int) -> Selection:
    """The ``chosen`` sentences (the best one and what it brings) and at most ``room`` of the
    best-scored ``settings.pool`` that joining.py's model lets join;
    the sentence before a best one opening with a contrast and a note a chosen sentence cites join
    as with the score bars. Runs ordered by the ranker's probability, the likeliest first."""
    from assistant import joining

    top = float(masked[best])
    pool = np.array([int(sid) for sid in np.argsort(-masked, kind="stable")[: settings.pool] if np.isfinite(masked[sid])])
    probability = joining.load_model().probability(joining.features(doc, pool, best, masked, evidence, weights))
    order = likelihood(len(doc.sentences), evidence)
    missed = float(np.prod([1.0 - p for sid, p in zip(pool, probability) if sid in chosen]))  # all chosen miss the answer
    free = [j for j, sid in enumerate(pool) if sid not in chosen and not _duplicate(doc, int(sid), chosen)]
    lengths = np.array([max(joining.words(doc, int(pool[j])), settings.least_words) for j in free])
    picked = joining.pick(probability[free], lengths, missed, settings.word_cost, room, settings.least_probability)
    chosen = chosen + [int(pool[free[j]]) for j in picked]
    for sid in (int(s) for s in pool[free]):
        ratio = float(masked[sid]) / top if top else 0.0
        if sid not in chosen and ((sid == best - 1 and _adjacent(doc, sid, best) and ratio >= settings.leant_on
                                   and _CONTRAST.match(display_text(doc.sentences[best].text)))
                                  or (ratio >= settings.far and _cited_by(doc, sid, chosen))):
            chosen.append(sid)
    return Selection(answer_order(doc, whole_sentences(doc, chosen), order), False)


_ASKS_QUESTIONS = re.compile(r"\bquestions?\b|\bask(?:s|ed)?\b", re.I)  # "Which questions do the authors raise?"


def _best_statement(doc: Document, leading: np.ndarray, question: str) -> int:
    """The best-scored sentence of ``leading`` that states something (``_states_nothing``), unless none of the
    best few does."""
    best = int(np.argmax(leading))
    for sid in np.argsort(-leading)[:STATEMENT_SKIP + 1]:
        if not np.isfinite(leading[sid]):
            break
        if not _states_nothing(doc, int(sid), question):
            return int(sid)
    return best


STATEMENT_SKIP = 5  # sentences passed over for the best statement, at most


def _states_nothing(doc: Document, sid: int, question: str) -> bool:
    """Does sentence ``sid`` state nothing a question could be answered with: a question ("3. Would individuals ...
    be allowed to deploy additional encryption services ...?"; unless ``question`` asks about questions), a pointer
    to a figure and no more ("A simple CapsNet architecture is shown in Fig. 1."), or the bare title of a figure or
    algorithm ("Procedure 1 Routing algorithm."; unless ``question`` names one)?"""
    text = display_text(doc.sentences[sid].text).strip()
    if text.rstrip(" \"'”’)").endswith("?") and _OPENS_QUESTION.match(text):  # not "... consider this instance: Is there ...?"
        return not _ASKS_QUESTIONS.search(question)
    if _POINTER_ONLY.match(text):
        return True
    return bool(_BARE_CAPTION.match(text)) and len(text.split()) <= BARE_CAPTION_WORDS and not _NAMES_FIGURE.search(question)


_OPENS_QUESTION = re.compile(
    r"^(?:[(\[]?(?:\d+|[a-z]|[ivx]+)[.)\]]\s+|[-–•*]\s+)?[\"“‘']?(?:what|which|who|whom|whose|why|how|when|where|whether|is|are|was|were|"
    r"do|does|did|can|could|should|would|will|shall|may|might|must|has|have|had)\b", re.I)
_FIGURE = r"(?:fig(?:ure)?s?\.?|tab(?:le)?s?\.?|algorithms?|procedures?|listings?|appendix|section|§)\s*[A-Z]?\d+(?:\.\d+)*[a-z]?"
# "A simple CapsNet architecture is shown in Fig. 1.", "The results are given in Table 2.", "See Figure 3."
_POINTER_ONLY = re.compile(
    rf"^(?:see\s+{_FIGURE}|(?:[\w,'’()-]+\s+){{0,10}}(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:shown|given|illustrated|depicted|"
    rf"presented|summari[sz]ed|listed|plotted|sketched|outlined|displayed|reported|tabulated)\s+in\s+{_FIGURE})[\s.)]*$", re.I)
_BARE_CAPTION = re.compile(r"^(?:fig(?:ure)?\.?|algorithm|procedure|listing)\s*\d+[.:]?\s", re.I)  # a table's caption leads its columns
BARE_CAPTION_WORDS = 8
_NAMES_FIGURE = re.compile(r"\b(?:fig(?:ure)?|algorithm|procedure|listing)\.?\s*\d", re.I)  # "What does Figure 2 show?"


_ASKS_EXAMPLE = re.compile(r"\b(?:examples?|instances?|illustrat\w+|such as)\b", re.I)
_GIVES_EXAMPLE = re.compile(r"\b(?:for example|for instance|e\.g\.|such as|as an example|to illustrate|a case in point|including)\b", re.I)


def _example(doc: Document, masked: np.ndarray, best: int, chosen: list[int], floor: float) -> int | None:
    """For a question asking for an example: the sentence giving one ("For example, ...") right after
    the best one, else the best-scored one scoring at least ``floor``; None if none does."""
    gives = lambda sid: sid not in chosen and _gives_example(doc, sid)
    after = best + 1
    if after < len(doc.sentences) and _adjacent(doc, best, after) and np.isfinite(masked[after]) and gives(after):
        return after
    return max((int(sid) for sid in np.flatnonzero(masked >= floor) if gives(int(sid))),
               key=lambda sid: float(masked[sid]), default=None)


def _gives_example(doc: Document, sid: int) -> bool:
    return bool(_GIVES_EXAMPLE.search(display_text(doc.sentences[sid].text)))


def _joins(doc: Document, sid: int, best: int, chosen: list[int], ratio: float, adds: float,
           settings: ShapeSettings) -> bool:
    """Does sentence ``sid`` (scoring ``ratio`` of the best, adding ``adds`` of the question's
    weighted terms to the answer) join the ``chosen`` ones?"""
    if sid == best - 1 and _adjacent(doc, sid, best) and _CONTRAST.match(display_text(doc.sentences[best].text)):
        return ratio >= settings.leant_on  # "However, ...": the best sentence leans on this one
    adjacent = any(_adjacent(doc, sid, c) for c in chosen)
    if ratio < (settings.near if adjacent else settings.far):
        return False
    if ratio >= settings.sure or _cited_by(doc, sid, chosen):
        return True
    return adds >= (settings.new_terms_near if adjacent else settings.new_terms_far)


def answer_order(doc: Document, chosen: list[int], scores: np.ndarray) -> tuple[int, ...]:
    """Runs of adjacent sentences in reading order, the run holding the best-scored sentence first,
    then the others by their best score."""
    ordered = runs(doc, tuple(sorted(chosen)))
    ordered.sort(key=lambda run: -max(float(scores[sid]) for sid in run))
    return tuple(sid for run in ordered for sid in run)


def _cited_by(doc: Document, sid: int, chosen: list[int]) -> bool:
    """Is sentence ``sid`` in a note that one of the ``chosen`` sentences cites (a source question's answer)?"""
    sentence = doc.sentences[sid]
    numbers = {n for c in chosen for n in doc.sentences[c].markers}
    return any(note.start <= sentence.start < note.end for n in numbers if (note := doc.note(n)) is not None)


def _terms(doc: Document, sid: int) -> set[str]:
    return set(terms(display_text(doc.sentences[sid].text)))


def names_column(question: str, column: str) -> bool:
    """Does ``question`` name a table column's head ("Russia" in "Russia's", "Russian", "russia"), or
    a capital or seat of power standing for it ("Moscow", "the Kremlin": metonyms.py)?"""
    named = " ".join([question, *metonyms.states_named(question)])
    return bool(re.search(rf"(?<!\w){re.escape(column)}", named, re.I))


def table_answer(doc: Document, best: int, question: str) -> list[int]:
    """When sentence ``best`` lies in a table: the caption, then the cells of the columns the
    question names (all columns when it names none, or only the best cell's column when that is
    a cell); reading order. Empty outside a table."""
    columns = table_columns(doc, best)
    if not columns:
        return []
    named = [ids for column, ids in columns.items() if names_column(question, column)]
    own = [ids for ids in columns.values() if best in ids]
    cells = named or own or list(columns.values())
    caption = table_caption(doc, best)
    return sorted({sid for ids in cells for sid in ids} | ({caption} if caption is not None else set()))


def captions_completed(doc: Document, chosen: list[int], best: int,
                       question: str) -> tuple[list[int], dict[int, list[int]]]:
    """``chosen`` with each table caption that joined the ``best`` sentence on its score ("Table 1. Main goals
    of Russia and Iran in the Middle East.") followed by the cells of the one column the question names (what
    ``table_answer`` gives when the caption leads), or left out when the question names no one column: a
    caption alone answers nothing ("What does Russia want to achieve in the Middle East?" was answered with
    another sentence and the bare caption). Also each such caption's cells, to follow it."""
    out: list[int] = []
    cells: dict[int, list[int]] = {}
    for sid in chosen:
        if sid != best and table_caption(doc, sid) == sid:
            named = [ids for column, ids in table_columns(doc, sid).items() if names_column(question, column)]
            if len(named) != 1:
                continue
            cells[sid] = [i for i in named[0] if i not in chosen]
        out += [i for i in (sid, *cells.get(sid, ())) if i not in out]
    return out, cells


def companions_of(doc: Document, best: int) -> tuple[bool, list[int]]:
    """What the best sentence brings: (True, the whole list) when it introduces or belongs to a
    list, else (False, the discourse neighbours it cannot stand without)."""
    listing = _enumeration(doc, best)
    return (True, listing) if listing else (False, _discourse_neighbours(doc, best))


# "Moscow shares several interests with Tehran.", "... has three main goals:", "... are the following.": a count or a
# quantifier, then a plural noun within four words (``announcement``)
_ANNOUNCES = re.compile(
    r"\b(two|three|four|five|six|several|many|number of|various|following|these|certain|some|main)\b"
    r"(\s+\w+){0,3}\s+(?!(?:is|was|has|does|this|thus|its|his|as|us|always|perhaps|sometimes|besides|unless|whereas|"
    r"themselves|itself)\b)(\w+(?<!ss)(?<!is)(?<!us)s)\b",
    re.I,
)
# ... but not one a determiner makes definite ("the two countries", "their many partners"), nor one inside a phrase
# that only places or accompanies ("..., with several Iranian troops fighting ...", "in many crisis situations",
# "relations of many countries"), unless what precedes it says it is made of them ("consists of three parts"); "suffers
# from", "divided into", "between" and "with" after a verb may announce ("deals with three issues")
_NOT_ANNOUNCING = re.compile(r"(?:\b(?:the|its|their|whose|our|his|her|these|those|in|within|towards?|among|across|at|over|"
                             r"under|through|of)|,\s*with)\s+$", re.I)
_MADE_OF = re.compile(r"\b(?:consists?|consisting|composed|comprised|made up)\s+of\s+$", re.I)
_FOLLOWS = re.compile(r"\b(the following|as follows)\W*$", re.I)
_AFTER_THE = re.compile(r"\bthe\s+$", re.I)
_VAGUE = frozenset({"certain", "some", "main"})  # announce only parts of a whole: "in certain ways", "the main reasons"
# nouns that name the parts of a whole announce them wherever they stand ("presents itself in two phases")
_PARTS = frozenset("""ways phases stages steps parts types kinds forms categories classes groups periods levels aspects
    respects dimensions factors reasons patterns components elements principles approaches strategies""".split())


def announcement(text: str) -> re.Match | None:
    """The first place where a sentence announces items ("several interests", "three main goals", "... are the
    following."), if any."""
    found = _ANNOUNCES.search(text)
    while found is not None:  # "The two ports share several interests": the definite "two ports" does not, "several" does
        if _announces(text[: found.start()], found.group(1).lower(), found.group(3).lower()):
            return found
        found = _ANNOUNCES.search(text, found.end(1))
    return _FOLLOWS.search(text)


def _announces(before: str, word: str, noun: str) -> bool:
    """Does the count or quantifier ``word`` before the plural ``noun`` announce items, ``before`` being the
    sentence's text up to it?"""
    parts = noun in _PARTS
    if word in _VAGUE and not parts:
        return False  # "some researchers", "whose main objective": no count of items
    if word == "following" or not _NOT_ANNOUNCING.search(before) or _MADE_OF.search(before):
        return True
    return parts and not _AFTER_THE.search(before)  # "presents itself in two phases", not "in the two phases of"


_MARKED_ITEM = re.compile(INLINE_ITEM_MARK + r"[.)]\s")  # "(i) ", "a) ", "1. ", "(2) "
_REFERS_BACK = re.compile(r"^(these|this|such|those|both|all of these|for this reason|therefore|thus)\b", re.I)


# A sentence whose subject points back at the one before it ("It ...", "These relations ...", "Thus, they ..."): quoted
# alone, its subject dangles; the sentence before it (of the same paragraph, at most MAX_ANTECEDENT_WORDS) comes too.
_DANGLING = re.compile(r"^(?:(?:thus|so|hence|moreover|however|also|still|yet|in addition|besides|furthermore|as a result|"
                       r"in this case|in turn),?\s+)?(?:it|its|they|their|this|these|those|such|he|she|his|her)\b", re.I)
# ... but not an "it" standing for nothing ("It is difficult to ...", "It seems that ...") nor the work itself ("This paper ...")
_NOT_DANGLING = re.compile(r"^(?:\w+,?\s+)?(?:it\s+(?:is|was|seems|seemed|appears|appeared|can|could|may|might|would|will|should|"
                           r"must|has been|remains|follows|turns out)\b|(?:this|these|our)\s+(?:paper|article|study|report|"
                           r"work|thesis|chapter|section|document)s?\b)", re.I)
MAX_ANTECEDENT_WORDS = 40
_CONTRAST = re.compile(r"^(however|but|yet|nevertheless|nonetheless|still|despite|on the other hand|in contrast)\b", re.I)
_INTRODUCES = re.compile(r"^(these|they|those)\s+(include|included|are|were|consist|comprise)\b|^(among (them|these)|this includes)\b", re.I)
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
MAX_ANNOUNCED_ITEMS = 5  # an announcement of "several"/"many" items brings at most this many sentences
MAX_LABEL_WORDS = 5  # a label ending its paragraph with a colon ("Thesis Committee:") brings the next paragraph's lines
MAX_LIST_ITEMS = 8  # a sentence ending with ':' that joins the answer brings at most this many list items


def _announced_count(text: str) -> int:
    """How many items a sentence announces ("three shortcomings": 3; "several factors": MAX_ANNOUNCED_ITEMS);
    0 when it announces none."""
    return _count_of(announcement(text))


def _count_of(announced: re.Match | None) -> int:
    """The number of items an ``announcement`` match counts out (MAX_ANNOUNCED_ITEMS for "several"); 0 for None."""
    return _COUNTS.get(announced.group(1).lower(), MAX_ANNOUNCED_ITEMS) if announced else 0


def _discourse_neighbours(doc: Document, best: int) -> list[int]:
    """Sentences the best one cannot stand without.

    A sentence that announces what follows ("Moscow shares several interests with Tehran.",
    one ending with a colon, or one whose next sentence opens "These include ...") takes the
    following sentences of its paragraph, as many as it announces ("three ...") or up to a
    contrast ("However, ..."), but one ending with a colon whose next sentences open with an item's
    mark ("(i) it is linear, (ii) ...") takes those, in its paragraph or the next;
    a short one that points back ("These factors restrain ...") takes the previous one.
    """
    sentence = doc.sentences[best]
    text = display_text(sentence.text)
    short = len(text.split()) <= 22
    same = lambda sid: 0 <= sid < len(doc.sentences) and doc.sentences[sid].paragraph == sentence.paragraph
    announced = announcement(text)
    introduces_next = same(best + 1) and _INTRODUCES.match(display_text(doc.sentences[best + 1].text))
    marked = _marked_next(doc, best) if text.endswith(":") else []
    if marked:
        return marked  # "... the following desirable properties:" / "(i) it is linear, (ii) ..."
    count = _count_of(announced) or MAX_ANNOUNCED_ITEMS
    ordinals = _ordinal_items(doc, best, count) if announced or text.endswith(":") else []
    if ordinals:  # "This approach suffers from three shortcomings." / "First, ..." ... "Second, ..." ... "Third, ..."
        return ordinals  # (one that points back also brings what it points at: ``readable``)
    if text.endswith(":") and len(text.split()) <= MAX_LABEL_WORDS and not same(best + 1):
        return _lines_after(doc, best)  # "Thesis Committee:" / "Peter Lee, Chair" "Robert Harper" ...: the lines it announces
    if text.endswith(":") or (announced and (short or introduces_next) and not _REFERS_BACK.match(text)):
        items: list[int] = []
        for sid in range(best + 1, best + 1 + count):
            if not same(sid) or (items and _CONTRAST.match(display_text(doc.sentences[sid].text))):
                break
            items.append(sid)
        return items
    if short and _REFERS_BACK.match(text) and not _NOT_DANGLING.match(text) and not _NAMES_ITS_REFERENT.match(text):
        return [sid for sid in (best - 1,) if same(sid)]
    if dangles(text) and same(best - 1) \
            and len(display_text(doc.sentences[best - 1].text).split()) <= MAX_ANTECEDENT_WORDS:
        return [best - 1]  # "It has the same role between Israel and Iran." after "In this case, Russia acts as an interlocutor."
    return []


# "This sort of cosying up to Saudi Arabia ...", "These differences between Moscow and Tehran ...": the noun's own
# complement names what "this" points at, so the sentence reads alone ("This concept never ..." does not)
_NAMES_ITS_REFERENT = re.compile(r"^(?:\w+,?\s+)?(?:this|these|those|such)\s+\w+\s+(?:of|between|with|to|in|from|for|on|"
                                 r"about|against|among|over|toward|towards)\b", re.I)


def dangles(text: str) -> bool:
    """Does a sentence open by pointing back at the one before it ("It has the same role ...", "These include ...")?"""
    return bool(_DANGLING.match(text)) and not _NOT_DANGLING.match(text) and not _NAMES_ITS_REFERENT.match(text)


def readable(doc: Document, ordered: tuple[int, ...]) -> tuple[int, ...]:
    """An answer (``answer_order``'s runs, in their order) that reads without what it leaves out: a run that
    opens by pointing back ("It has the same role between Israel and Iran.", "These include ...") starts with
    the sentences it points back to (``antecedents``), whether it leads or joined on its score. Leaving such
    a joined run out instead shortens 9 of 325 dev answers but loses 3 evidence hits (gold.jsonl q045, q107,
    reader dev d072): the sentence that points back held the evidence."""
    out: list[int] = []
    for run in runs(doc, ordered):
        out += [sid for sid in whole_sentences(doc, [*antecedents(doc, run[0]), *run]) if sid not in out]
    return answer_order(doc, out, _reading_rank(ordered, len(doc.sentences)))


def continuation(doc: Document, ordered: tuple[int, ...]) -> tuple[int, ...]:
    """An answer (``answer_order``'s runs, in their order) whose leading run is followed by the sentence after
    it when that sentence, of the same paragraph and at most MAX_ANTECEDENT_WORDS long, opens by pointing back
    at the run (``dangles``): "Iran appears to be using its influence in the region ..." goes on with "Its
    primary strategy in the region is to deploy the IRGC-QF ...". The runs keep their order."""
    grouped = runs(doc, ordered)
    if not grouped:
        return ordered
    after = grouped[0][-1] + 1
    if after >= len(doc.sentences) or after in ordered or not _adjacent(doc, after - 1, after):
        return ordered
    text = display_text(doc.sentences[after].text)
    if not dangles(text) or len(text.split()) > MAX_ANTECEDENT_WORDS:
        return ordered
    return (*grouped[0], after, *(sid for run in grouped[1:] for sid in run))


def _reading_rank(ordered: tuple[int, ...], n: int) -> np.ndarray:
    """Scores that make ``answer_order`` keep the runs of ``ordered`` in their order (earlier: higher)."""
    rank = np.full(n, -np.inf)
    rank[list(ordered)] = -np.arange(len(ordered), dtype=float)
    return rank


def completed(doc: Document, ordered: tuple[int, ...], left_out: frozenset[int] = frozenset()) -> tuple[int, ...]:
    """A paper-level answer (overview.py picks its sentences by where the paper states the aspect) made
    readable as a retrieved one is: a run that announces numbered items ("... three shortcomings." / "First,
    ..." / "Second, ...") brings their opening sentences, and a run that points back what it points at
    (``readable``); never a sentence of ``left_out``. The runs keep their order."""
    out: list[int] = []
    for run in runs(doc, ordered):
        count = _announced_count(display_text(doc.sentences[run[-1]].text))
        items = _ordinal_items(doc, run[-1], count) if count else []
        out += [sid for sid in (*run, *items) if sid not in out and sid not in left_out]
    shown = readable(doc, tuple(out))
    return tuple(sid for sid in shown if sid not in left_out)


def antecedents(doc: Document, first: int) -> list[int]:
    """The sentences a run opening with sentence ``first`` points back to: the one before it in its paragraph
    when ``first`` dangles, and the one before that when it dangles too ("In this case, Russia acts as an
    interlocutor." / "It has the same role between Israel and Iran." / "Thus, it supports good relations with
    ... Hezbollah ..."), at most MAX_ANTECEDENT_WORDS words in all."""
    out: list[int] = []
    words = 0
    while first > 0 and dangles(display_text(doc.sentences[first].text)) and _adjacent(doc, first - 1, first):
        words += len(display_text(doc.sentences[first - 1].text).split())
        if words > MAX_ANTECEDENT_WORDS:
            break
        first -= 1
        out.append(first)
    return out


_FIRST = re.compile(r"^(?:first(?:ly)?|first of all|to begin with|the first)\b", re.I)
_ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
_LAST = re.compile(r"^(?:finally|lastly|last)\b", re.I)
MAX_ORDINAL_REACH = 12  # an announcement's ordinal items are looked for this many sentences on, at most


def _ordinal_items(doc: Document, intro: int, count: int) -> list[int]:
    """After an announcing sentence whose next sentence opens "First, ...": the sentences that open each item
    ("Second, ...", "Third, ...", or "Finally, ...", which closes them), in its section, up to the ``count`` announced;
    the sentences between them that only elaborate an item stay out. Empty unless two items or more are found.
    A paper that announces "three shortcomings" at the end of a paragraph usually gives each in a paragraph of
    its own, which the announcement's own paragraph does not reach."""
    sentences = doc.sentences
    first = intro + 1
    if first >= len(sentences) or sentences[first].section != sentences[intro].section \
            or not _FIRST.match(display_text(sentences[first].text)):
        return []
    items = [first]
    for sid in range(first + 1, min(len(sentences), first + 1 + MAX_ORDINAL_REACH)):
        if len(items) >= min(count, len(_ORDINALS) + 1) or sentences[sid].section != sentences[intro].section:
            break
        text = display_text(sentences[sid].text)
        if _LAST.match(text):  # "Finally, ..." closes the list, whether "three" or "several" were announced
            items.append(sid)
            break
        ordinal = _ORDINALS[len(items) - 1]
        if re.match(rf"^(?:{ordinal}(?:ly)?|the {ordinal})\b", text, re.I):
            items.append(sid)
    return items if len(items) >= 2 else []


def _lines_after(doc: Document, intro: int) -> list[int]:
    """The sentences of the paragraph after ``intro`` (which ends its own paragraph with a colon), when that
    paragraph follows in its section and is not a heading: at most MAX_LIST_ITEMS of them."""
    nxt = intro + 1
    if nxt >= len(doc.sentences) or doc.sentences[nxt].section != doc.sentences[intro].section:
        return []
    paragraph = doc.sentences[nxt].paragraph
    if doc.paragraphs[paragraph].kind == "title":
        return []
    out: list[int] = []
    while nxt < len(doc.sentences) and doc.sentences[nxt].paragraph == paragraph and len(out) < MAX_LIST_ITEMS:
        out.append(nxt)
        nxt += 1
    return out


def _marked_next(doc: Document, intro: int) -> list[int]:
    """The sentences after one ending with a colon that open with an item's mark, in its section, in a
    run ("(i) it is linear, (ii) it is oblivious ...", or "(i) ..." / "(ii) ..." when each is long)."""
    items: list[int] = []
    nxt = intro + 1
    while (nxt < len(doc.sentences) and len(items) < MAX_LIST_ITEMS and doc.sentences[nxt].section == doc.sentences[intro].section
           and _MARKED_ITEM.match(display_text(doc.sentences[nxt].text))):
        items.append(nxt)
        nxt += 1
    return items


def _referent(doc: Document, best: int, question: str) -> int | None:
    """The sentence before ``best`` (same paragraph, at most MAX_ANTECEDENT_WORDS) when ``best`` points back
    at just what the question asks about and that sentence names it: "What problems come from locks ...?" led
    by "Lock-free data structures remedy these problems, ..." brings "Mutual exclusion is a source of many
    problems, including deadlocks, ..."."""
    asked = set(terms(question)) - set(terms(_REFERENT_STOP))
    text = display_text(doc.sentences[best].text)
    pointed = set(terms(" ".join(m.group(1) for m in _POINTS_AT.finditer(text))))
    before = best - 1
    if not pointed & asked or before < 0 or doc.sentences[before].paragraph != doc.sentences[best].paragraph:
        return None
    named = display_text(doc.sentences[before].text)  # it names them ("... a source of many problems, including ...")
    return before if len(named.split()) <= MAX_ANTECEDENT_WORDS and pointed & asked & set(terms(named)) else None


_POINTS_AT = re.compile(r"\b(?:these|those|this|such|the above|the former|the latter)\s+([A-Za-z]{4,})", re.I)
_REFERENT_STOP = "paper work study article section chapter figure table case way"  # what "this ..." names that is no referent


def _fragment(doc: Document, sid: int) -> bool:
    """Does sentence ``sid`` start lower-case, so that it goes on from the sentence before it?

    The segmenter ends a sentence at a stray full stop of the extracted text ("... resentment
    over defeats. interventions, and support for ..."); what follows it is not a sentence.
    """
    return display_text(doc.sentences[sid].text)[:1].islower()


MAX_PIECES = 4  # a sentence broken by stray full stops is completed from at most this many pieces each way


def whole_sentences(doc: Document, chosen: list[int]) -> list[int]:
    """``chosen`` with what completes each of its sentences: the sentences of the same paragraph
    before one that starts lower-case, and the lower-case ones after it, so that no answer quotes
    half a sentence. At most ``MAX_PIECES`` each way: a text with no sentence ends at all (one line of
    lower-case words, split only by length) is not quoted whole."""
    whole = list(chosen)
    held = set(whole)
    for sid in chosen:
        before = sid
        while sid - before < MAX_PIECES and before > 0 and _fragment(doc, before) and _adjacent(doc, before - 1, before):
            before -= 1
        after = sid
        while (after - sid < MAX_PIECES and after + 1 < len(doc.sentences) and _adjacent(doc, after, after + 1)
               and _fragment(doc, after + 1)):
            after += 1
        for s in range(before, after + 1):
            if s not in held:
                whole.append(s)
                held.add(s)
    return whole


def _adjacent(doc: Document, a: int, b: int) -> bool:
    return abs(a - b) == 1 and doc.sentences[a].paragraph == doc.sentences[b].paragraph


# Two sentences sharing this share of their terms (of those either holds) say the same thing: a claim the
# introduction and a section both state ("In many experiments, the effect in the first few days seems to be
# trending up or down." / "In many cases, the effect ...": 9 of 11)
DUPLICATE_SHARE = 0.75
DUPLICATE_MIN_TERMS = 5  # ... when they hold this many terms: short lines ("Table 1.", "Iran") differ in a word


def _duplicate(doc: Document, sid: int, chosen: list[int]) -> bool:
    """Does sentence ``sid`` say again what one of ``chosen`` says, in the same words or nearly?"""
    text = display_text(doc.sentences[sid].text)
    mine = _terms(doc, sid)
    for c in chosen:
        if display_text(doc.sentences[c].text) == text:
            return True
        theirs = _terms(doc, c)
        both = mine | theirs
        if min(len(mine), len(theirs)) >= DUPLICATE_MIN_TERMS and len(mine & theirs) >= DUPLICATE_SHARE * len(both):
            return True
    return False


def _enumeration(doc: Document, best: int) -> list[int]:
    """When the best sentence introduces a list (ends with ':') or is an item of one (a list item
    paragraph), the list. An item is a list item paragraph, or the first sentence of a paragraph that
    opens with a list mark ("1.", "–", "•"): a PDF sets its items as paragraphs of their own ("In tidy
    data:" "1. Each variable forms a column." ...)."""
    kinds = {p.id: p.kind for p in doc.paragraphs}
    is_item = lambda sid: _list_item(doc, kinds, sid)  # noqa: E731
    sentence = doc.sentences[best]
    # a paragraph that only opens with a mark ("2. Each observation forms a row.") leads as any sentence
    # does: its introduction brings the list, it does not
    if kinds[sentence.paragraph] == "list_item":
        intro = best
        while intro > 0 and is_item(intro):
            intro -= 1
        if not display_text(doc.sentences[intro].text).endswith(":"):
            intro += 1
    elif display_text(sentence.text).endswith(":"):
        intro = best
    else:
        return []
    items = []
    sid: int | None = intro if is_item(intro) else intro + 1
    while sid is not None and sid < len(doc.sentences) and is_item(sid):
        if doc.sentences[sid].section != sentence.section:
            break
        items.append(sid)
        sid = sid + 1 if sid + 1 < len(doc.sentences) and is_item(sid + 1) else _next_item(doc, kinds, sid)
    if not items:
        return []
    head = [intro] if intro not in items else []
    return head + items


# A question asking how much or how many, answered by one item of a list: that item (and the list's
# introduction), not the whole list ("By how much does it improve throughput?" and six contribution bullets).
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many|fast|long|large|big|often|high|low|small)\b|\bwhat (?:percentage|fraction|share|proportion|number)\b"
                            r"|\bby (?:what|which) (?:factor|margin|amount)\b", re.I)
_QUANTITY = re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twice|double|doubling|half|hundreds?|thousands?"
                       r"|millions?|percent|factors? of)\b", re.I)


def _states_quantity(doc: Document, sid: int) -> bool:
    """Does the sentence state a quantity, its list mark aside ("1) Creation of ..." states none)?"""
    text = display_text(doc.sentences[sid].text)
    return _QUANTITY.search(LIST_ITEM.sub("", ITEM_OPENING.sub("", text, count=1), count=1)) is not None


def _introduces(doc: Document, sid: int) -> bool:
    return display_text(doc.sentences[sid].text).endswith(":")


ITEM_GAP = 2  # paragraphs an item may run on over (unmarked) before the next item opens with the same mark


def _next_item(doc: Document, kinds: Mapping[int, str], sid: int) -> int | None:
    """The first sentence of the next item of the list whose item sentence ``sid`` opens, when the item runs on
    over the rest of its paragraph and up to ITEM_GAP more ("• Our first release shipped with ten times ..." /
    "We hoped this change ..." / "When this problem first appeared ..." / "• When we tried to upgrade ..."): the
    first paragraph after them that opens an item of the same kind (a list item paragraph, or the same kind of
    mark); None when none does, or when a paragraph between them ends with a colon (it brings a list of its own)."""
    kind = _item_kind(doc, kinds, sid)
    paragraph, skipped = doc.sentences[sid].paragraph, 0
    for nxt in range(sid + 1, len(doc.sentences)):
        if doc.sentences[nxt].paragraph == paragraph:
            continue  # the rest of the item's paragraph
        if display_text(doc.sentences[nxt - 1].text).endswith(":") and nxt - 1 != sid:
            return None
        paragraph = doc.sentences[nxt].paragraph
        if _list_item(doc, kinds, nxt):
            return nxt if _item_kind(doc, kinds, nxt) == kind else None
        skipped += 1
        if skipped > ITEM_GAP:
            return None
    return None


def _item_kind(doc: Document, kinds: Mapping[int, str], sid: int) -> str | None:
    """An item's kind: "list_item" (its paragraph was parsed as one), "number" ("1.", "(2)"), or its mark ("•")."""
    if kinds[doc.sentences[sid].paragraph] == "list_item":
        return "list_item"
    return _mark_kind(display_text(doc.sentences[sid].text))


def _mark_kind(text: str) -> str | None:
    """An item's kind of mark: "number" ("1.", "(2)"), else the mark itself ("•", "–"); None without one."""
    mark = ITEM_OPENING.match(text)
    if mark is None:
        return None
    return "number" if any(c.isdigit() for c in mark.group(0)) else mark.group(0).strip()


def _list_item(doc: Document, kinds: Mapping[int, str], sid: int) -> bool:
    """Is sentence ``sid`` a list item: in a list item paragraph, or opening a paragraph with a list mark?"""
    sentence = doc.sentences[sid]
    if kinds[sentence.paragraph] == "list_item":
        return True
    opens = sid == 0 or doc.sentences[sid - 1].paragraph != sentence.paragraph
    return opens and ITEM_OPENING.match(display_text(sentence.text)) is not None


def answer_text(doc: Document, sentence_ids: tuple[int, ...]) -> str:
    """The sentences' display text, joined: what the abstention and confidence models read."""
    return " ".join(display_text(doc.sentences[i].text) for i in sentence_ids)


def shown_text(doc: Document, sentence_ids: tuple[int, ...]) -> str:
    """The answer as a reader sees it (``--json``'s "answer"): ``answer_text`` with "…" where a run of
    sentences starts or stops inside a sentence the extracted text broke, as its citation marks it."""
    return " ".join(cut_marks(answer_text(doc, run), *_cut(doc, run)) for run in runs(doc, sentence_ids))


def cited_notes(doc: Document, sentence: Sentence) -> tuple[CitedNote, ...]:
    """The notes behind a sentence's footnote markers, with "Ibid" resolved to its referent."""
    out: list[CitedNote] = []
    for number in sentence.markers:
        note = doc.note(number)
        if note is None:
            continue
        out.append(CitedNote(note.number, note.text))
        if note.refers_to is not None:
            target = doc.note(note.refers_to)
            if target is not None and all(c.number != target.number for c in out):
                out.append(CitedNote(target.number, target.text))
    return tuple(out)


def runs(doc: Document, sentence_ids: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The sentence ids (reading order) grouped into runs of sentences that follow one another in one paragraph."""
    out: list[list[int]] = []
    for sid in sentence_ids:
        if out and _adjacent(doc, out[-1][-1], sid) and sid > out[-1][-1]:
            out[-1].append(sid)
        else:
            out.append([sid])
    return [tuple(run) for run in out]


def citations(doc: Document, chunks: tuple[Chunk, ...], sentence_ids: tuple[int, ...]) -> tuple[Citation, ...]:
    """One citation per run of adjacent sentences: its text is the exact source slice from the run's
    first sentence to its last, its notes those of all its sentences, its chunk the first sentence's."""
    chunk_of = {sid: c for c in chunks for sid in c.sentences}
    paragraphs = {p.id: p for p in doc.paragraphs}
    out = []
    for n, run in enumerate(runs(doc, sentence_ids), start=1):
        first, last = doc.sentences[run[0]], doc.sentences[run[-1]]
        notes = {note.number: note for sid in run for note in cited_notes(doc, doc.sentences[sid])}
        cut = _cut(doc, run)
        out.append(
            Citation(
                n=n,
                chunk_id=chunk_of[run[0]].id,
                section=doc.sections[first.section].title,
                paragraph=paragraphs[first.paragraph].number,
                start=first.start,
                end=last.end,
                text=doc.source[first.start : last.end],
                notes=tuple(notes.values()),
                cut_start=cut[0],
                cut_end=cut[1],
            )
        )
    return tuple(out)


def _cut(doc: Document, run: tuple[int, ...]) -> tuple[bool, bool]:
    """Whether a run of sentences starts inside a sentence the extracted text broke (lower-case), and
    whether it stops short of one (no closing punctuation, at a table or a page)."""
    return (_prose(doc, run[0]) and _fragment(doc, run[0]),
            _prose(doc, run[-1]) and stops_short(display_text(doc.sentences[run[-1]].text)))


_NOT_PROSE = frozenset({"front", "contents", "notes", "references"})  # title lines and references end as they like


def _prose(doc: Document, sid: int) -> bool:
    """Is sentence ``sid`` running prose, whose sentences close with punctuation (not a title line,
    list item, table cell or reference)?"""
    sentence = doc.sentences[sid]
    return (doc.paragraphs[sentence.paragraph].kind == "body"
            and doc.sections[sentence.section].kind not in _NOT_PROSE)


def passages(doc: Document, chunks: tuple[Chunk, ...], scores: np.ndarray, k: int) -> tuple[Passage, ...]:
    order = np.argsort(-scores, kind="stable")[:k]
    return tuple(
        Passage(
            rank=rank,
            chunk_id=chunks[i].id,
            section=doc.sections[chunks[i].section].title,
            start=chunks[i].start,
            end=chunks[i].end,
            score=round(float(scores[i]), 6),
            text=chunks[i].text,
        )
        for rank, i in enumerate(order, start=1)
    )


def paragraph_passages(doc: Document, scores: np.ndarray, k: int) -> tuple[Passage, ...]:
    """The top ``k`` paragraphs as passages (the baselines retrieve paragraphs, not chunks)."""
    order = np.argsort(-scores, kind="stable")[:k]
    out = []
    for rank, i in enumerate(order, start=1):
        p = doc.paragraphs[int(i)]
        title = doc.sections[p.section].title
        out.append(Passage(rank, f"p{p.id:04d}", title, p.start, p.end, round(float(scores[i]), 6), doc.source[p.start : p.end]))
    return tuple(out)

"""Follow-ups: the rewrite rule, retrieval of the new entity's content, and follow-ups in `assistant eval`."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assistant import abstain
from assistant.evaluate import follow_up_contexts, run
from assistant.gold import GoldItem
from assistant.followup import QUESTION_WORDS, answered_with, asks_other_thing, contextualize, effective, entities, is_follow_up

IRAN = "What are Iran's goals in the Middle East?"


# -- the rewrite rule ------------------------------------------------------------------------------


def test_the_new_entity_takes_the_old_ones_place():
    assert contextualize("And what about Russia?", IRAN) == "What are Russia's goals in the Middle East?"
    assert contextualize("What about Moscow?", "What does Iran want in Syria?") == "What does Moscow want in Syria?"


def test_a_possessive_follow_up_keeps_the_possessive():
    previous = "What is Iran's position on the Syrian Kurds?"
    assert contextualize("And what about Russia's?", previous) == "What is Russia's position on the Syrian Kurds?"


def test_the_preposition_decides_which_name_is_replaced():
    assert contextualize("And in Yemen?", "What does Russia do in Syria?") == "What does Russia do in Yemen?"
    previous = "Why does the Middle East matter to Russia?"
    assert contextualize("And to Iran?", previous) == "Why does the Middle East matter to Iran?"
    # the opener's "about" is not a preposition of the name: Russia takes the bare name's place
    assert contextualize("How about Russia?", "Does Iran trade with China?") == "Does Russia trade with China?"


def test_an_article_goes_with_the_name_it_introduced():
    assert contextualize("And Iran?", "How does the United States see Russia?") == "How does Iran see Russia?"


def test_a_repeated_name_in_another_role_swaps_places():
    previous = "What does Russia gain from working with Iran?"
    assert contextualize("And what does Iran get out of it?", previous) == "What does Iran gain from working with Russia?"


@pytest.mark.parametrize("question, previous, context", [
    # the pronoun stands for the previous topic, and the new name has no place of its own in it: it joins
    ("And how does Russia feel about that?", "What is the role of Hezbollah in Iran's regional strategy?",
     "What is the role of Hezbollah in Iran's regional strategy?"),
    ("And what does Israel say about it?", "How did Iran's support for Assad change in 2015?",
     "How did Iran's support for Assad change in 2015?"),
    # ... a name after the same preposition (here none: the one who thinks) takes the old one's place
    ("And what does Israel think about it?", "What does Russia think about Iran's presence in Syria?",
     "What does Israel think about Iran's presence in Syria?"),
])
def test_an_opened_follow_up_ending_on_a_pronoun_swaps_only_a_name_with_a_place(question, previous, context):
    assert contextualize(question, previous) == context


def test_every_mention_of_the_old_name_is_rewritten():
    previous = "What does Iran want, and why does Iran's army fight in Syria?"
    assert contextualize("And Russia?", previous) == "What does Russia want, and why does Russia's army fight in Syria?"


def test_follow_up_with_a_pronoun_keeps_the_whole_previous_question():
    assert contextualize("What are their main goals?", IRAN) == IRAN
    assert contextualize("Why not?", "Do Iran and Russia agree about Assad?") == "Do Iran and Russia agree about Assad?"


def test_another_question_word_asks_it_of_the_same_thing():
    assert contextualize("Why?", "When did Russia launch its airstrikes in Syria?") == "Why did Russia launch its airstrikes in Syria?"
    assert contextualize("And when?", "Why did Russia send troops to Syria?") == "When did Russia send troops to Syria?"
    assert contextualize("Why?", IRAN) == "Why are Iran's goals in the Middle East?"
    assert contextualize("How so?", "How does Russia balance Iran and Israel?") == "How does Russia balance Iran and Israel?"


@pytest.mark.parametrize("question", ["Give an example.", "Can you give me an example?", "Any examples?", "Tell me more.",
                                      "For instance?"])
def test_a_request_for_more_is_a_follow_up_on_the_same_topic(question):
    assert is_follow_up(question)
    assert contextualize(question, IRAN) == IRAN


@pytest.mark.parametrize("question", ["What is an example of bandwagoning?", "Give an example of a proxy war in the region"])
def test_a_request_naming_its_own_topic_stands_alone(question):
    assert not is_follow_up(question)


@pytest.mark.parametrize("question", [
    "What is bandwagoning?",
    "What does the paper say about Russia in Syria?",
    "What does this paper argue about sanctions?",
    "Who are the authors of the paper?",
])
def test_standalone_questions_are_not_follow_ups(question):
    assert not is_follow_up(question)
    assert contextualize(question, IRAN) is None


@pytest.mark.parametrize("question", ["Where do they work?", "What did she study?", "Where does he work now?"])
def test_a_pronoun_before_a_verb_like_work_still_leans_on_the_previous_question(question):
    assert is_follow_up(question)  # "work" and "study" name the document only after "this", "their"...
    assert contextualize(question, "Who wrote this paper?") is not None


@pytest.mark.parametrize("question", ["What does Russia do about it?", "How did Tehran respond to that?",
                                      "What does Moscow think of this?"])
def test_a_question_ending_on_a_pronoun_adds_its_names_to_the_previous_topic(question):
    previous = "How does Israel view Iran's presence in Syria?"
    assert is_follow_up(question)
    assert contextualize(question, previous) == previous  # Israel stays: Russia is a new actor, not its stand-in


@pytest.mark.parametrize("question", ["What is Hezbollah and who supports it?", "Which states does Russia arm?"])
def test_a_question_naming_its_topic_without_leaning_on_the_previous_stands_alone(question):
    assert not is_follow_up(question)


def test_no_previous_question_no_context():
    assert contextualize("And what about Russia?", None) is None
    assert contextualize("And what about Russia?", "  ") is None


def test_a_chain_of_follow_ups_carries_the_topic():
    first = contextualize("And what about Russia?", IRAN)
    second = contextualize("And Turkey?", effective("And what about Russia?", first))
    assert second == "What are Turkey's goals in the Middle East? And what about Turkey?"


WORDS = st.sampled_from(["And", "and", "what", "about", "Iran's", "Russia", "in", "the", "Middle", "East", "to",
                         "Why", "?", "it", "goals", "With", "O'Neil's", "'s", "", " ", "\u2019s", "Ünïcode", "-"])


@given(st.lists(WORDS, max_size=12).map(" ".join), st.lists(WORDS, max_size=12).map(" ".join))
@example("what", "? Why")  # found by hypothesis: the question word after a stray "?" is the one swapped
@example("Why it Ünïcode", "O'Neil's")  # found by hypothesis: a question of its own keeps the names ("O'Neil", whole)
def test_any_text_gives_a_context_with_words_or_none(question, previous):
    context = contextualize(question, previous)
    assert context is None or (context.strip() and context == " ".join(context.split()))
    if context is not None and asks_other_thing(question, previous):  # only the previous question's names carry over
        assert all(word in previous for word in context.split())  # no word of its own, "O'Neil" kept whole
    elif context is not None and not entities(question):  # the previous question, its question word maybe swapped
        before, after = previous.split(), context.split()
        changed = [(b, a) for b, a in zip(before, after) if b != a]
        assert len(after) == len(before) and len(changed) <= 1  # "? Why" -> "? What": the word after a stray "?"
        assert all(b.lower() in QUESTION_WORDS and a.lower() in QUESTION_WORDS for b, a in changed)


def test_entities_group_names_and_read_their_preposition():
    found = entities(IRAN)
    assert [(e.text, e.base, e.role, e.preposition) for e in found] == [
        ("Iran's", "Iran", "other", ""), ("Middle East", "Middle East", "place", "in")]
    assert [e.preposition for e in entities("And what about Russia?", after=len("And what about"))] == [""]


# -- retrieval: the new entity's content, on a table and on prose --------------------------------

DOCUMENT = """Two regional powers compared

Introduction

This report compares two regional powers. Both send diplomats to many capitals. For example, both keep large embassies in Baghdad.

Goals

Table 1. What each power seeks (compiled by the authors).

Iran's goals in the Middle East: survival of the theocratic regime; a chain of allied Shi'a states; limiting US influence.

Russia's goals in the Middle East: a naval base at Tartus; a multipolar world; becoming a guarantor of peace.

Syria

Iran wants Syria as a corridor for supplying Hezbollah and as strategic depth against Israel. For example, Iranian advisers have trained militias around Damascus since 2013.

Russia wants Syria as its only real outpost in the region and fears the collapse of the state.

Turkey wants a buffer zone along its southern border.
"""
IRAN_ROW = "survival of the theocratic regime"
RUSSIA_ROW = "a naval base at Tartus"
IRAN_SYRIA = "Iran wants Syria as a corridor"
RUSSIA_SYRIA = "Russia wants Syria as its only real outpost"


@pytest.fixture(scope="module")
def two_powers(tmp_path_factory):
    """A small document indexed with the hashing encoder (fast, deterministic); its table rows carry
    their column header, as a table unit does."""
    from conftest import FakeEncoder

    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    root = tmp_path_factory.mktemp("followup")
    (root / "doc.md").write_text(DOCUMENT, encoding="utf-8")
    build_index(root / "doc.md", root / "index", encoder=FakeEncoder())
    return Assistant.open(load_index(root / "index"), encoder=FakeEncoder())


def ask_after(assistant, previous: str, question: str):
    return assistant.ask(question, context=contextualize(question, previous))


def selected(assistant, answer) -> str:
    """The sentences chosen to answer (shown unless the answer abstains: the hashing encoder's
    similarities are not the model's, so abstention here says nothing)."""
    doc = assistant.document
    return " ".join(doc.source[doc.sentences[i].start : doc.sentences[i].end] for i in answer.sentence_ids)


def test_follow_up_on_the_table_answers_from_russias_row(two_powers):
    first = selected(two_powers, two_powers.ask(IRAN))
    assert IRAN_ROW in first and RUSSIA_ROW not in first
    follow = ask_after(two_powers, IRAN, "And what about Russia?")
    assert RUSSIA_ROW in follow.passages[0].text
    assert RUSSIA_ROW in selected(two_powers, follow) and IRAN_ROW not in selected(two_powers, follow)


def test_follow_up_on_prose_answers_from_russias_sentence(two_powers):
    previous = "What does Iran want in Syria?"
    assert IRAN_SYRIA in selected(two_powers, two_powers.ask(previous))
    follow = ask_after(two_powers, previous, "What about Russia?")
    assert RUSSIA_SYRIA in follow.passages[0].text
    assert RUSSIA_SYRIA in selected(two_powers, follow) and IRAN_SYRIA not in selected(two_powers, follow)


IRAN_EXAMPLE = "For example, Iranian advisers have trained militias around Damascus"


def test_a_request_for_an_example_stays_on_the_previous_topic(two_powers):
    previous = "What does Iran want in Syria?"
    for question in ("Give an example.", "Can you give me an example?"):
        follow = ask_after(two_powers, previous, question)
        assert IRAN_EXAMPLE in selected(two_powers, follow), question
        assert "Baghdad" not in selected(two_powers, follow)
    assert IRAN_EXAMPLE not in selected(two_powers, two_powers.ask("Give an example."))  # asked on its own: anywhere


def test_tell_me_more_answers_with_sentences_not_shown_yet(two_powers):
    previous = "What does Iran want in Syria?"
    first = two_powers.ask(previous)
    more = two_powers.ask("Tell me more.", context=contextualize("Tell me more.", previous), shown=first.sentence_ids)
    assert more.sentence_ids and not set(more.sentence_ids) & set(first.sentence_ids)
    everything = tuple(range(len(two_powers.document.sentences)))
    nothing = two_powers.ask("Tell me more.", context=previous, shown=everything)  # every sentence shown: nothing new
    assert nothing.abstained or not nothing.sentence_ids


SHARED = """# Two partners

## Interests

Moscow shares three interests with Tehran. Both oppose American influence in the region. Both fear Sunni jihadists on their borders. Both support the Assad regime in Damascus.

## Trade

Trade between them stays small and depends on arms sales.
"""


def test_tell_me_more_never_quotes_a_shown_sentence_again(tmp_path):
    # what the best sentence brings (the sentence it points back to, its list, the rest of a cut
    # sentence) may have been shown already: it is left out too
    from conftest import FakeEncoder

    from assistant.engine import Assistant
    from assistant.index import build_index, load_index

    (tmp_path / "doc.md").write_text(SHARED, encoding="utf-8")
    build_index(tmp_path / "doc.md", tmp_path / "index", encoder=FakeEncoder())
    partners = Assistant.open(load_index(tmp_path / "index"), encoder=FakeEncoder())
    doc = partners.document
    announces = next(s.id for s in doc.sentences if s.text.startswith("Moscow shares"))
    previous = "What interests does Moscow share with Tehran?"
    more = partners.ask("Tell me more.", context=previous, shown=(announces,))
    assert more.sentence_ids and announces not in more.sentence_ids  # "Both ..." points back to it: not again


@pytest.mark.parametrize("question", ["Tell me more.", "What else?", "Anything else?", "Can you elaborate?", "Any examples?"])
def test_a_request_for_more_asks_for_more_and_keeps_the_topic(question):
    from assistant.followup import asks_for_more

    assert asks_for_more(question) and contextualize(question, IRAN) == IRAN  # "Anything" is not a name


@pytest.mark.parametrize("question", ["Tell me more about Russia.", "And what about Russia?", "Why?", "What is an example of bandwagoning?"])
def test_a_question_of_its_own_is_not_a_request_for_more(question):
    from assistant.followup import asks_for_more

    assert not asks_for_more(question)


@pytest.mark.slow
def test_real_tell_me_more_is_a_new_answer_on_the_same_topic(paper_assistant):
    previous = "What is defensive realism?"
    first = paper_assistant.ask(previous)
    more = paper_assistant.ask("Tell me more.", context=contextualize("Tell me more.", previous), shown=first.sentence_ids)
    assert not more.abstained and more.answer != first.answer
    assert not set(more.sentence_ids) & set(first.sentence_ids) and "realism" in more.answer.lower()


@pytest.mark.slow
@pytest.mark.parametrize("previous, question", [("What is the main argument?", "Tell me more."),
                                                ("Who are the authors?", "Tell me more about them.")])
def test_real_request_for_more_is_asked_as_the_question_it_follows(paper_assistant, previous, question):
    first = paper_assistant.ask(previous)
    more = paper_assistant.ask(question, context=contextualize(question, answered_with(previous, None, first.answer)),
                               shown=first.sentence_ids)
    assert not more.abstained and more.question == question
    assert more.sentence_ids and not set(more.sentence_ids) & set(first.sentence_ids)
    sections = {c.section for c in more.citations}
    assert sections <= ({"About the Authors"} if "authors" in previous else {"Introduction", "Theoretical Framework", "Conclusion"})


@pytest.mark.slow
def test_real_follow_up_on_prose_answers_about_the_new_entity(paper_assistant):
    outpost = "For Russia, Syria also has instrumental value as its only real outpost in the Middle East."
    prose = ask_after(paper_assistant, "What does Iran want to achieve in Syria?", "What about Moscow?")
    # since the e5 channel the answer quotes what Moscow fears in Syria ("However, Moscow is particularly
    # concerned about ... state collapse in Syria"), the passage ranked first the outpost sentence
    assert outpost in prose.passages[0].text and "Moscow" in prose.answer and "Syria" in prose.answer
    assert "For Iran" not in prose.answer
    concept = "The Concept on the foreign policy of Russia is the main document"
    policy = ask_after(paper_assistant, "What shapes Iran's foreign policy?", "What about Russia's foreign policy?")
    assert concept in policy.passages[0].text and concept in policy.answer


@pytest.mark.slow
def test_real_follow_up_on_the_table_answers_from_the_new_column(paper_assistant):
    iran_cell, russia_cell = "Support of a chain of Shi'a states", "Reinforcement of its naval base in Syria Tartus"
    first = ask_after(paper_assistant, None, IRAN)
    assert iran_cell in first.answer and russia_cell not in first.answer
    for question in ("And Russia?", "What about Moscow?", "How about the Kremlin's goals?"):
        follow = ask_after(paper_assistant, IRAN, question)
        assert russia_cell in follow.answer and iran_cell not in follow.answer, question


@pytest.mark.slow
def test_real_follow_up_swaps_in_a_state_named_only_in_the_follow_up(paper_assistant):
    follow = ask_after(paper_assistant, "What does Iran want in Syria?", "What about Saudi Arabia?")
    assert "Saudi Arabia" in selected(paper_assistant, follow)


@pytest.mark.slow
@pytest.mark.parametrize("previous, question, topic, alone", [
    ("Why did Russia send troops to Syria?", "When?", "Syria", True),  # a bare "When?" lands on Syria too
    ("When did Russia launch its first airstrikes in Syria?", "Why?", "Syria", False),
    ("What irritants have troubled Russian-Iranian relations?", "Give an example.", "Caspian Sea", False),
    ("How does Russia balance between Iran and Israel?", "Can you give an example?", "Israel", False),
])
def test_real_follow_up_asking_about_the_previous_answer_stays_on_its_topic(paper_assistant, previous, question, topic, alone):
    assert topic in selected(paper_assistant, paper_assistant.ask(previous))
    assert topic in selected(paper_assistant, ask_after(paper_assistant, previous, question))
    assert (topic in selected(paper_assistant, paper_assistant.ask(question))) == alone  # asked on its own


# -- assistant eval asks a follow-up after its context question -----------------------------------


def gold(id_, question, context=None):
    return GoldItem(id_, question, "x", (), "followup" if context else "factoid", context)


def test_eval_contexts_follow_the_chat_rule_and_chain():
    items = [gold("a", IRAN), gold("b", "And what about Russia?", "a"), gold("c", "And Turkey?", "b"),
             gold("d", "And what about Russia?")]
    contexts = follow_up_contexts(items)
    assert contexts == {
        "a": None,
        "b": "What are Russia's goals in the Middle East?",
        "c": "What are Turkey's goals in the Middle East? And what about Turkey?",
        "d": None,  # no context id: asked on its own, as a first question would be
    }


def test_after_a_who_question_the_next_follow_up_carries_the_names_of_its_answer():
    answered = answered_with("Who wrote this paper?", None, "Aref Bijan and Anastasia Goncharova, October 2021")
    assert answered == "Who wrote this paper? Aref Bijan Anastasia Goncharova October"
    assert contextualize("Where do they work?", answered) == answered
    assert answered_with("Who wrote this paper?", None, None) == "Who wrote this paper?"  # abstained: nothing to carry
    # only a "who" question's answer says whom a pronoun means; names the question has are not repeated
    assert answered_with("What does Russia want?", None, "Putin wants Syria.") == "What does Russia want?"
    assert answered_with("And who leads Iran's Quds Force?", None, "Qasem Soleimani led the Quds Force of Iran.") == (
        "And who leads Iran's Quds Force? Qasem Soleimani")
    many = answered_with("Who met?", None, "Ann Lee, Bo Chan, Cy Dunn, Di Eng and Ed Fox met.")
    assert many == "Who met? Ann Lee Bo Chan Cy Dunn Di Eng"  # at most four names


def test_eval_carries_a_who_answers_names_and_asks_only_what_it_needs():
    asked = []

    def answer(question, context):
        asked.append(question)
        return "Maria Keller and Tomas Brandt"

    items = [gold("a", "Who wrote this paper?"), gold("b", "Where do they work?", "a"), gold("c", "Who funded it?")]
    contexts = follow_up_contexts(items, answer)
    assert contexts["b"] == "Who wrote this paper? Maria Keller Tomas Brandt"
    assert asked == ["Who wrote this paper?"]  # "c" is followed by nothing; "b" asks no "who"
    assert follow_up_contexts(items)["b"] == "Who wrote this paper?"  # no answers given: the question alone


def test_eval_asks_a_follow_up_with_its_context(two_powers):
    items = [gold("a", IRAN), gold("b", "And what about Russia?", "a")]
    results = run(two_powers, items, systems=("hybrid", "bm25"))
    first, follow = results["records"]
    assert first["context"] is None
    assert follow["context"] == "What are Russia's goals in the Middle East?"
    for name in ("hybrid", "bm25"):
        expected = two_powers.ask("And what about Russia?", mode=name, context=follow["context"])
        assert follow["systems"][name]["answer"] == expected.answer
        assert follow["systems"][name]["passages"] == [
            {"rank": p.rank, "chunk_id": p.chunk_id, "start": p.start, "end": p.end, "score": p.score}
            for p in expected.passages]


def test_eval_asks_a_request_for_more_without_what_its_chain_showed(two_powers, monkeypatch):
    previous = "What does Iran want in Syria?"
    items = [gold("a", previous), gold("b", "Tell me more.", "a"), gold("c", "What else?", "b"), gold("d", "Why?", "c")]
    asked: dict[str, tuple[int, ...]] = {}
    shown_ids: dict[str, tuple[int, ...]] = {}  # what each answer showed (nothing when it abstained, as in the chat)
    ask = two_powers.ask

    def spy(question, *args, shown=(), **kwargs):
        answer = ask(question, *args, shown=shown, **kwargs)
        asked[question], shown_ids[question] = tuple(shown), () if answer.abstained else answer.sentence_ids
        return answer

    monkeypatch.setattr(two_powers, "ask", spy)
    # the hashing encoder's similarities are not the model's: the abstention model's verdict says nothing here
    monkeypatch.setattr(abstain.Model, "abstains", lambda self, signals, veto: False)
    run(two_powers, items, systems=("hybrid",))
    first, more = shown_ids[previous], shown_ids["Tell me more."]
    assert asked[previous] == () and asked["Tell me more."] == first  # the chain's answers so far are left out
    assert first and asked["What else?"] == tuple(dict.fromkeys(first + more)) and not set(more) & set(first)
    # "Why?" asks only another question word: what its chain showed is passed on, left out only when the answer
    # would just repeat it (followup.asks_again; the engine's own test below)
    assert set(asked["Why?"]) == set(first) | set(more) | set(shown_ids["What else?"])


def test_a_follow_up_asking_another_question_word_does_not_just_repeat_the_answer_shown(two_powers, monkeypatch):
    from assistant.followup import asks_again, leave_out

    previous = "What does Iran want in Syria?"
    shown = two_powers.ask(previous).sentence_ids
    assert asks_again("Why not?") and asks_again("Why or why not?") and not asks_again("Why does it matter?")
    assert leave_out("Why?", previous, shown) == shown and leave_out("And Russia?", previous, shown) is None
    monkeypatch.setattr(abstain.Model, "abstains", lambda self, signals, veto: False)
    again = two_powers.ask("Why?", context=previous, shown=shown)
    assert again.sentence_ids and not set(again.sentence_ids) <= set(shown)  # something else, not the repeat
    plain = two_powers.ask("Why?", context=previous)
    calls: list[bool] = []  # the first look answers, the second (without what was shown) finds nothing
    monkeypatch.setattr(abstain.Model, "abstains", lambda self, signals, veto: calls.append(True) or len(calls) > 1)
    kept = two_powers.ask("Why?", context=previous, shown=plain.sentence_ids)
    assert len(calls) == 2 and not kept.abstained and kept.sentence_ids == plain.sentence_ids  # the repeat, not nothing


@pytest.mark.parametrize("question, context, anew", [
    ("And can searches keep running while one of those changes is in progress?",
     "How do ELB-trees split or merge nodes without taking any locks?", True),
    ("And does its advantage grow with more time per move?", "How does Crazy Stone do against other Go programs?", True),
    ("Why?", "When did Russia launch its airstrikes?", False),  # another question word: contextualize swaps it
    ("And Russia?", "What are Iran's goals in Syria?", False),  # a name: it replaces one in the topic's question
    ("Tell me more.", "What are Iran's goals in Syria?", False),  # a request for more, not a new question
    ("And what do they want there?", "What do Iran's leaders want in Syria?", False),  # the topic's words again
    ("And the splits?", "How does the tree split nodes?", False),  # "splits" is "split"
])
def test_a_follow_up_asks_anew_when_it_has_a_content_word_of_its_own(question, context, anew):
    from assistant.followup import asks_anew

    assert asks_anew(question, context) is anew


def test_a_follow_up_asking_anew_does_not_just_repeat_the_answer_shown(two_powers):
    """Its answer leaves out what the topic showed when it would only repeat it; when it would not, the
    shown sentences make no difference."""
    from assistant.followup import leave_out

    previous = "What does Iran want in Syria?"
    shown = two_powers.ask(previous).sentence_ids
    for question in ("What does Iran want in Syria, precisely?", "And what does it want there, concretely?"):
        context = contextualize(question, previous) or previous
        assert leave_out(question, context, shown) == shown
        plain = two_powers.ask(question, context=context)
        asked = two_powers.ask(question, context=context, shown=shown)
        if set(plain.sentence_ids) <= set(shown):
            assert plain.sentence_ids and (asked.abstained or not set(asked.sentence_ids) <= set(shown))
        else:
            assert asked.sentence_ids == plain.sentence_ids
    assert set(two_powers.ask("What does Iran want in Syria, precisely?", context=previous).sentence_ids) <= set(shown)  # the case arises


@pytest.mark.parametrize("question, context, alone", [
    ("And what about the VM's disk — how is storage handled?", "How does the migrated VM keep its network connections?", True),
    ("How close to optimal is that tradeoff?", "Why can't you make clusters both small and sparse at the same time?", True),
    ("And does its advantage grow with more time per move?", "How does Crazy Stone do against other Go programs?", True),
    ("And can searches run?", "How do ELB-trees split or merge nodes without taking any locks?", False),  # two words
    ("And what do they want there?", "What do Iran's leaders want in Syria?", False),
    ("Why?", "When did Russia launch its airstrikes?", False),
])
def test_a_follow_up_stands_alone_when_it_says_what_it_asks_in_words_of_its_own(question, context, alone):
    from assistant.followup import stands_alone

    assert stands_alone(question, context) is alone


def test_a_follow_up_that_stands_alone_is_asked_without_its_topic_first(two_powers, monkeypatch):
    asked_with: list[str] = []
    query = two_powers.query
    monkeypatch.setattr(two_powers, "query", lambda text, **kw: asked_with.append(text) or query(text, **kw))
    previous, question = "What does Iran want in Syria?", "And how are the oil pipelines of the region routed?"
    answer = two_powers.ask(question, context=previous)
    assert asked_with[0] == question
    assert asked_with[1:] == ([f"{previous} {question}"] if answer.abstained or len(asked_with) > 1 else [])
    asked_with.clear()
    two_powers.ask("And what do they want there?", context=previous)  # leans on its topic: asked with it
    assert asked_with == [f"{previous} And what do they want there?"]


@pytest.mark.parametrize("question, previous, context", [
    ("What divides them?", "What interests do Iran and Russia share?", "Iran Russia"),
    ("And where do they disagree?", "Where do Iran and Russia agree?", "Iran Russia"),  # a question of its own: no swap
    ("What does it fear there?", "What are Iran's goals in Syria?", "Iran Syria"),
    ("Who fears it?", "What is the Shiite crescent?", "Shiite crescent"),  # a name before a noun keeps the noun
])
def test_a_follow_up_asking_something_else_of_the_names_keeps_only_the_names(question, previous, context):
    """followup.asks_other_thing: the previous question's own words would retrieve its answer again."""
    assert contextualize(question, previous) == context


@pytest.mark.parametrize("question, previous", [
    ("What are their main goals?", "What are Iran's goals in the Middle East?"),  # repeats "goals"
    ("What does Russia do about it?", "What does Iran want in Syria?"),  # "it": the whole previous topic
    ("Why do they do that?", "Why do Iran and Russia cooperate?"),
    ("And how do they measure it?", "How do the authors define balancing?"),  # the previous question names nothing
    ("And bandwagoning?", "How do the authors define balancing?"),  # no question of its own
])
def test_a_follow_up_on_the_same_thing_keeps_the_whole_previous_question(question, previous):
    assert contextualize(question, previous) == previous


@pytest.mark.parametrize("question, previous, context", [
    ("And the weaknesses?", "What are the strengths of the partnership?", "What are the weaknesses of the partnership?"),
    ("What about the risks?", "What opportunities does Syria offer Iran?", "What risks does Syria offer Iran?"),
    ("And the disadvantages?", "What are the advantages of the deal?", "What are the disadvantages of the deal?"),  # same ending
    ("And divergence?", "Where do Iran and Russia show convergence?", "Where do Iran and Russia show divergence?"),
    ("And the long-term ones?", "What are the short-term goals of Russia?", "What are the long-term goals of Russia?"),
    ("And what about Russia's weaknesses?", "What are Iran's strengths?", "What are Russia's weaknesses?"),  # with a name
])
def test_a_word_standing_in_for_one_of_the_previous_question_takes_its_place(question, previous, context):
    """followup._swap_words: the previous question's own word would retrieve its answer again."""
    assert contextualize(question, previous) == context


@pytest.mark.parametrize("question, previous", [
    ("And bandwagoning?", "How do the authors define balancing?"),  # no word of the previous one it stands in for
    ("And the goals?", "What are Iran's interests?"),  # "goals" / "interests" 0.15: not a stand-in
])
def test_a_word_with_no_counterpart_replaces_nothing(question, previous):
    assert contextualize(question, previous) == previous


@pytest.mark.parametrize("question", ["What does that mean for Iran?", "Which of them conflict with Russia's?",
                                      "How does this policy affect Iran?", "Who coined the term?",
                                      "Where does the concept come from?"])
def test_a_question_pointing_back_before_it_names_anything_joins_the_previous_topic(question):
    """followup._leans_back: its names are new actors in the previous topic, not stand-ins for its names."""
    previous = "Why did Russia intervene in Syria?"
    assert is_follow_up(question)
    assert contextualize(question, previous) == previous


@pytest.mark.parametrize("question", ["Is it true that Russia supports Iran?",  # "that" as a conjunction
                                      "What is Hezbollah and who supports it?",  # "it": the name before it
                                      "Who coined the term 'Shiite crescent'?",  # the term is named
                                      "What is the concept of balancing?",
                                      "What does this paper argue about sanctions?"])
def test_a_question_naming_what_it_points_at_stands_alone(question):
    assert not is_follow_up(question)


@pytest.mark.parametrize("question", ["Don't they also fight ISIS?", "Isn't it the stronger partner?", "Why won't they act?"])
def test_a_negated_auxiliary_is_no_name_and_the_pronoun_leans_on_the_previous_question(question):
    assert all("'" not in e.text or e.text.endswith("'s") for e in entities(question))
    assert not any(e.base in ("Don", "Isn", "Won", "Don't", "Isn't") for e in entities(question))
    assert contextualize(question, "What are Iran's goals in Syria?") is not None

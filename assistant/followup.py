"""Follow-up questions: when a question leans on the previous one, what to add for retrieval.

``contextualize(question, previous)`` returns extra retrieval text (passed on as
``Assistant.ask(question, context=...)``) or ``None`` when the question stands alone.

A question is a follow-up of the previous one when any of these holds:

* it opens with a follow-up phrase: "and", "but", "also", "so", "then", "what about",
  "how about", "what of", "same for";
* it leans on a pronoun (it, its, they, them, their, this, that, these, those, he, she,
  his, her...) and names no entity of its own ("this paper", "their study" do not count; "Where
  do they work?" and "What did she study?" do);
* it points back before it names anything (``_leans_back``): a pronoun ahead of its first name ("What
  does that mean for Iran?", "Which of them conflict with Russia's?", "When did its king visit
  Moscow?"), or, naming nothing, "the term", "the concept" with nothing after it that says which ("Who
  coined the term?"); its names then join the previous question, as below;
* it ends on a pronoun after a preposition or "do", standing for what the previous question was
  about, whatever it names: "What does Russia do about it?", "How did Tehran respond to that?"
  (``OBJECT_PRONOUNS``; "Who supports it?" is not one: it names nothing, so the rule above holds);
  unless it opens with a follow-up phrase and each of its names stands in for one of the previous
  question ("And what does Iran get out of it?", "And what does Israel think about it?" swap names as
  below: ``_takes_a_place``), its names then join the previous question instead of replacing names in
  it ("Russia" is a new actor in the previous topic, not Israel's stand-in after "How does Israel view
  Iran's presence in Syria?", nor Hezbollah's in "And how does Russia feel about that?" after "What is
  the role of Hezbollah in Iran's regional strategy?");
* it is short (four words or fewer) and has no content word of its own, only names and
  function words: "Why?", "And Russia?", "In Syria?";
* it asks for more of the same (eight words or fewer, none of them a content word beyond a
  request word such as "example", "instance", "more", "details", "else"): "Give an example.", "Can you
  give me an example?", "Tell me more.", "What else?" (``asks_for_more``: the chat UI then leaves
  out the sentences it already showed on that topic, so the answer is new).

Entities are names: capitalised words (with a possessive "'s" dropped), consecutive ones
grouped ("Middle East"), question and function words excluded ("What", "And", "Does").

The context is the previous question, rewritten so that a new entity *replaces* an old one:

* when the follow-up names no entity ("What are their goals?"), the context is the whole
  previous question: its entities are what the pronouns point at;
* when it names entities, each one takes the place of one entity of the previous question:
  the first one in the same role, else the first one left. The role is the preposition
  the name follows (articles skipped; the follow-up's opener such as "what about" does not
  count): "to Iran" replaces "to Russia", "in Yemen" replaces "in Syria" (and, failing an
  exact match, any place preposition another place preposition), a bare name a bare name.
  Every mention of the replaced name is rewritten, a possessive keeping its "'s" and the
  article before it dropped; names the follow-up repeats stay. So after "What are Iran's
  goals in the Middle East?", "And what about Russia?" gives the context "What are Russia's
  goals in the Middle East?": a question that reads on its own, so retrieval looks for
  Russia's goals and nothing in the query still asks for Iran's. "And in Yemen?" after
  "What does Russia do in Syria?" gives "What does Russia do in Yemen?"; "And to Iran?"
  after "Why does the Middle East matter to Russia?" gives "Why does the Middle East matter
  to Iran?". A name the follow-up repeats in another role swaps places with the name that
  held that role: "And what does Iran get out of it?" after "What does Russia gain from
  working with Iran?" gives "What does Iran gain from working with Russia?".

A follow-up that only asks another question word about the same thing ("Why?", "And when?",
"Where exactly?") takes the previous question with its question word swapped: "Why?" after
"When did Russia launch its airstrikes?" gives "Why did Russia launch its airstrikes?", so the
query asks for a reason, not the date again. A previous question that does not open with a
question word ("Do Iran and Russia agree?") is kept as it is.

An elliptical follow-up's word takes the place of the previous question's word it stands in for
("And the weaknesses?" after "What are the strengths of the partnership?" gives "What are the
weaknesses of the partnership?"; ``_swap_words``).

A follow-up that asks something else of what the previous question named, in words of its own and
none of the previous question's ("And where do they disagree?" after "Where do Iran and Russia
agree?", "What divides them?" after "What interests do Iran and Russia share?"), takes only the
previous question's names ("Iran Russia"): its words would retrieve the agreement again
(``asks_other_thing``).

For a chain of follow-ups, pass as ``previous`` the text the previous question was
answered with (``effective(question, context)``), so the topic carries forward. After a "who"
question, what a pronoun points at is in the answer, not the question: "Where do they work?"
after "Who wrote this paper?" is about the names the answer gave. So ``answered_with`` adds the
names of a "who" question's answer (at most four, not those the question already has) to that
text; an abstention adds none.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

OPENERS = ("and", "but", "also", "so", "then", "what about", "how about", "what of", "same for", "same question for")
PRONOUNS = frozenset(
    "it its they them their theirs this that these those he she his her him hers itself themselves".split()
)
OBJECT_PRONOUNS = frozenset("it them that this these those him her".split())  # last, after a preposition or "do"
NOT_PRONOUN_BEFORE = frozenset("paper article study report work author authors text document".split())
# ... but only after a word that can stand before a noun: "this paper" names the document, while in
# "Where do they work?" or "What did he study?" the pronoun leans on the previous answer.
DETERMINERS = frozenset("this that these those its their his her".split())
PLACE_PREPOSITIONS = frozenset("in at within across into inside throughout near around toward towards".split())
PREPOSITIONS = PLACE_PREPOSITIONS | frozenset(
    "to for from with by on of over under between among against about towards versus vs".split()
)
ARTICLES = frozenset(("the", "a", "an"))
FUNCTION_WORDS = frozenset(
    """
    what how why who whom whose when where which whether does do did is are was were be been being can could
    should would will shall may might must has have had and but also or nor so then yet the a an in on at of
    for to from by with about into over under between among against during according than as if not no any
    some all each both either neither more most less much many other same such there here i me my we us our
    you your it its they them their this that these those he she his her him please tell explain describe
    list compare give name define show outline discuss summarize summarise say says said mean means
    """.split()
)
SHORT_WORDS = 4
REQUEST_WORDS = frozenset("example examples instance instances more detail details elaborate expand specific specifics concrete case cases "
                          "illustration else anything further continue".split())
REQUEST_MAX_WORDS = 8  # "Can you give me a concrete example?": a request for more, not a new question
QUESTION_WORDS = frozenset("what when where why how who whom whose which".split())
_ASKS_AGAIN = re.compile(rf"^\W*({'|'.join(sorted(QUESTION_WORDS))})(?:\s+(?:so|exactly|then|come|precisely))?\W*$", re.IGNORECASE)

_WORD = re.compile(r"[A-Za-z]+n['\u2019]t\b|[A-Za-z](?:[\w-]|['\u2019](?=[A-Z]))*(?:['\u2019]s)?")  # "Don't", "O'Neil's", "Iran's": one word each
_ASKS_WHO = re.compile(r"^\W*(?:(?:and|but|so|then)\W+)?(?:who|whom|whose)\b", re.IGNORECASE)
CARRIED_NAMES = 4
T = TypeVar("T")  # names of a "who" answer carried to the next follow-up


@dataclass(frozen=True)
class Entity:
    text: str  # as written, e.g. "Iran's" or "Middle East"
    start: int
    end: int
    role: str  # "place" or "other"
    preposition: str = ""  # the preposition the name follows ("in", "to", ...), "" when none

    @property
    def base(self) -> str:
        return _base(self.text)

    @property
    def possessive(self) -> bool:
        return self.base != self.text


def _base(word: str) -> str:
    return re.sub(r"['\u2019]s$", "", word)


def _is_name(word: str) -> bool:
    base = _base(word)
    return base[:1].isupper() and base.lower() not in FUNCTION_WORDS and not _NEGATED.search(base)  # not "Don't", "Isn't"


_NEGATED = re.compile(r"n['\u2019]t$", re.I)


def entities(text: str, after: int = 0) -> list[Entity]:
    """Names in ``text``: capitalised non-function words, consecutive ones grouped. Roles look
    only at the words from offset ``after`` on (a follow-up's opener is not a preposition)."""
    words = list(_WORD.finditer(text))
    found: list[Entity] = []
    i = 0
    while i < len(words):
        if not _is_name(words[i].group()):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and _is_name(words[j + 1].group()) and text[words[j].end() : words[j + 1].start()] == " ":
            j += 1
        start, end = words[i].start(), words[j].end()
        preposition = _preposition([w.group().lower() for w in words[:i] if w.start() >= after])
        role = "place" if preposition in PLACE_PREPOSITIONS else "other"
        found.append(Entity(text[start:end], start, end, role, preposition))
        i = j + 1
    return found


def _preposition(before: list[str]) -> str:
    while before and before[-1] in ARTICLES:
        before = before[:-1]
    return before[-1] if before and before[-1] in PREPOSITIONS else ""


def _opener_end(question: str) -> int:
    """Offset just after the follow-up openers ``question`` starts with ("And what about ...": 15)."""
    end = 0
    while True:
        rest = question[end:]
        lowered = " ".join(_lower_words(rest))
        opener = next((o for o in OPENERS if lowered == o or lowered.startswith(o + " ")), None)
        if opener is None:
            return end
        match = re.match(r"\W*" + r"\W+".join(opener.split()) + r"\b", rest, flags=re.IGNORECASE)
        if match is None:
            return end
        end += match.end()


def _lower_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z][\w'\u2019-]*", text)]


def _uses_pronoun(question: str) -> bool:
    words = _lower_words(question)
    return any(w in PRONOUNS and (w not in DETERMINERS or i + 1 == len(words) or words[i + 1] not in NOT_PRONOUN_BEFORE)
               for i, w in enumerate(words))


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the previous one (see the module docstring for the rule)?"""
    lowered = " ".join(_lower_words(question))
    if any(lowered == opener or lowered.startswith(opener + " ") for opener in OPENERS):
        return True
    names = entities(question)
    if (_uses_pronoun(question) and not names) or _ends_on_pronoun(question) or _leans_back(question):
        return True
    words = _lower_words(question)
    name_words = {w.lower() for e in names for w in _WORD.findall(e.text)}
    content = [w for w in words if w not in FUNCTION_WORDS and w not in name_words]
    if 0 < len(words) <= SHORT_WORDS and not content:
        return True
    return asks_for_more(question)


def asks_for_more(question: str) -> bool:
    """Does ``question`` only ask for more on the previous topic ("Tell me more.", "What else?", "Can
    you give me an example?": at most eight words, no name, no content word but a request word)? Its
    answer then leaves out what was already shown on that topic (``records.Shown``)."""
    words = _lower_words(question)
    content = [w for w in words if w not in FUNCTION_WORDS or w in REQUEST_WORDS]  # "more" is both
    return (0 < len(words) <= REQUEST_MAX_WORDS and bool(content) and all(w in REQUEST_WORDS for w in content)
            and not [e for e in entities(question) if e.base.lower() not in REQUEST_WORDS])  # "Anything" opens it, names nothing


def leave_out(question: str, context: str | None, shown: T | None) -> T | None:
    """What a follow-up's answer may leave out: ``shown`` (the sentences its topic showed so far) for a
    follow-up (``context`` not None) that only asks for more ("Tell me more.": ``Assistant.ask`` leaves them
    out) or asks something new of the topic (``asks_anew``: left out when the answer would only repeat them) or only
    another question word ("Why not?": ``asks_again``, left out when the answer would only repeat them and another
    is found), else None: any other follow-up ("And Russia?") may quote them again."""
    return shown if context is not None and (asks_for_more(question) or asks_anew(question, context) or asks_again(question)) else None


def asks_anew(question: str, context: str) -> bool:
    """Does a follow-up ask about something its topic's question did not: a content word of its own
    ("And can searches keep running while one of those changes is in progress?" after "How do ELB-trees
    split or merge nodes without taking any locks?")? Then the answer just shown does not answer it.
    Names do not count ("And Russia?" swaps names in the topic's question instead: ``contextualize``),
    nor words of the topic's question in another form ("split" / "splits")."""
    return bool(_own_terms(question, context))


_ONLY_A_QUESTION_WORD = re.compile(
    rf"^\W*(?:(?:and|but|so|then)\W+)?(?:{'|'.join(sorted(QUESTION_WORDS))})(?:\W+(?:not|so|exactly|then|come|precisely|or why not))?\W*$",
    re.IGNORECASE)


def asks_again(question: str) -> bool:
    """Does a follow-up only ask another question word of its topic ("Why not?", "Why or why not?", "How so?",
    "And when?")? An answer that only repeats what its topic's answer showed then answers nothing new:
    ``Assistant.ask`` looks again without those sentences (and keeps the repeat when nothing else is found)."""
    return _ONLY_A_QUESTION_WORD.match(question) is not None


STANDS_ALONE_TERMS = 3  # a follow-up with this many terms of its own says what it asks without its topic


def stands_alone(question: str, context: str) -> bool:
    """Does a follow-up state what it asks in words of its own, at least STANDS_ALONE_TERMS its topic lacks
    ("And what about the VM's disk — how is storage handled?" after "How does the migrated VM keep its
    network connections?", "How close to optimal is that tradeoff?")? Its topic's words would then pull
    retrieval back to what was already answered; ``Assistant.ask`` asks it alone first."""
    return len(_own_terms(question, context)) >= STANDS_ALONE_TERMS


def retrieval_text(question: str, context: str | None) -> str:
    """The text a question is first retrieved with: its topic, then it, unless it stands alone (``stands_alone``)."""
    return f"{context} {question}" if context and not stands_alone(question, context) else question


def _own_terms(question: str, context: str) -> set[str]:
    from assistant.lexical import terms

    named = {e.base.lower() for e in entities(question)}
    own = [w for w in _lower_words(question)
           if len(w) > 2 and w not in FUNCTION_WORDS and w not in PRONOUNS and w not in REQUEST_WORDS and w not in named]
    return set(terms(" ".join(own))) - set(terms(context))


LEADING_PRONOUNS = frozenset("its their theirs this that these those they them".split())  # not "it": "Is it true that ..."
SHELL_NOUNS = frozenset("term concept idea notion phrase expression label".split())  # "Who coined the term?"
# "this" and "that" point back after an auxiliary or a preposition ("What does that mean ...", "Why is this ...", "because
# of that"), not as a conjunction ("Is it true that Russia ...")
_BEFORE_DEMONSTRATIVE = frozenset("does did do is was are were would will can could should might may has have had "
                                  "about of to for with on in by from after before despite against over".split())
_QUALIFIED = frozenset("of that which who whom whose called named for in on about as".split())
_NEXT_WORD = re.compile(r"\W*([A-Za-z]+)")


def _leans_back(question: str) -> bool:
    """Does the question point back before it names anything: a pronoun ahead of its first name ("What does
    that mean for Iran?", "Which of them conflict with Russia's?"; not "What is Hezbollah and who supports
    it?", where "it" is Hezbollah), or, naming nothing, "the term" with nothing after it that says which
    ("Who coined the term?", not "Who coined the term 'Shiite crescent'?")?"""
    names = entities(question)
    first = names[0].start if names else len(question)
    previous = ""  # the last run of letters before the word (every run lies inside one of the words matched)
    for match in re.finditer(r"[A-Za-z][\w'\u2019-]*", question[:first]):
        word = match.group().lower()
        after = _NEXT_WORD.match(question, match.end())
        following = after.group(1).lower() if after else ""
        if (word in LEADING_PRONOUNS and not (word in DETERMINERS and following in NOT_PRONOUN_BEFORE)
                and (word not in ("this", "that") or previous.lower() in _BEFORE_DEMONSTRATIVE)):
            return True
        if (not names and word in SHELL_NOUNS and question[:match.start()].lower().endswith("the ")
                and following not in _QUALIFIED and not re.match(r"\s*[\"'\u201c\u2018]", question[match.end():])):
            return True
        previous = re.findall(r"[A-Za-z]+", match.group())[-1]
    return False


def _ends_on_pronoun(question: str) -> bool:
    """Is the question's last word a pronoun standing for something named before ("... about it?")?"""
    words = _lower_words(question)
    return len(words) > 2 and words[-1] in OBJECT_PRONOUNS and (words[-2] in PREPOSITIONS or words[-2] in ("do", "does", "did"))


def contextualize(question: str, previous: str | None) -> str | None:
    """Retrieval context for ``question`` asked after ``previous``; ``None`` when it stands alone."""
    if not previous or not previous.strip() or not is_follow_up(question):
        return None
    new = [e for e in entities(question, after=_opener_end(question)) if e.base.lower() not in REQUEST_WORDS]  # not "Elaborate."
    if entities(question) and ((_ends_on_pronoun(question) and (not _opener_end(question) or not _takes_a_place(new, previous)))
                               or _leans_back(question)):
        return " ".join(previous.split())  # its names join the topic
    context = _swap_question_word(question[_opener_end(question):], previous)
    for old, entity in reversed(_replacements(new, entities(previous))):
        name = entity.base + ("'s" if old.possessive else "")
        head = re.sub(r"\b(?:the|a|an)\s+$", "", context[: old.start], flags=re.IGNORECASE)
        context = head + name + context[old.end :]
    context = " ".join(context.split())
    swapped = _swap_words(question, context)
    if swapped is not None:
        context = swapped
    elif not new and asks_other_thing(question, context):
        context = " ".join(dict.fromkeys(_named(context)))
    return context if _lower_words(context) else None


def _takes_a_place(new: list[Entity], previous: str) -> bool:
    """Does each name a follow-up ending on a pronoun brings stand in for one of ``previous``: a name ``previous``
    has (in another role: "And what does Iran get out of it?" after "What does Russia gain from working with
    Iran?"), or one after the same preposition, or none, possessive if it is ("And what does Israel think about
    it?" after "What does Russia think about Iran's presence?")? Not "And how does Russia feel about that?" after
    "What is the role of Hezbollah in Iran's regional strategy?": the pronoun stands for Hezbollah's role, and
    Russia is a new actor in it, not Hezbollah's stand-in."""
    old = entities(previous)
    return all(any(o.base.lower() == e.base.lower() or (o.preposition, o.possessive) == (e.preposition, e.possessive)
                   for o in old) for e in new)


# The cosine of two words' input token embeddings for one to stand in for the other. Of 26 pairs written as
# stand-ins ("strengths" / "weaknesses", "allies" / "enemies", "agree" / "differ"), 19 score at least this (the
# rest 0.12-0.20: "causes" / "consequences" 0.18); of 20 pairs of words from one follow-up and its previous
# question that are not ("interests" / "divides" 0.21, "goals" / "role" 0.19), none does.
SWAP_SIMILARITY = 0.22
SWAP_MAX_WORDS = 3
SWAP_HEAD = 5  # "divergence" / "convergence": the same ending after at most this many letters each
_PRO_FORMS = frozenset({"one", "ones"})
_OPENS_QUESTION = re.compile(rf"\W*(?:{'|'.join(sorted(QUESTION_WORDS))})\b", re.IGNORECASE)
_LOWER_WORD = re.compile(r"(?<![\w'\u2019-])[a-z][a-z-]*[a-z](?![\w-])")  # a word in lower case (not a name's tail)


def _swap_words(question: str, previous: str) -> str | None:
    """``previous`` with each content word an elliptical follow-up brings in place of the word of ``previous``
    it stands in for ("And the weaknesses?" after "What are the strengths of the partnership?": "What are the
    weaknesses of the partnership?"; "What about the risks?" after "What opportunities does Syria offer
    Iran?": "What risks does Syria offer Iran?"), when every such word finds one (``_counterpart``); None
    otherwise, when the follow-up brings no word of its own, or when it asks a question of its own ("And
    where do they diverge?": ``asks_other_thing`` keeps only the names, since the previous question's other
    words, "foreign policies", retrieved the convergence again on blind dev e054)."""
    from assistant.lexical import terms

    rest = question[_opener_end(question):]
    if _OPENS_QUESTION.match(rest):  # a question of its own: asks_other_thing reads it
        return None
    known = set(terms(previous))
    own = [w for w in dict.fromkeys(_LOWER_WORD.findall(rest))
           if len(w) > 2 and w not in FUNCTION_WORDS and w not in PRONOUNS and w not in REQUEST_WORDS
           and w not in _PRO_FORMS and not set(terms(w)) <= known]
    if not own or len(own) > SWAP_MAX_WORDS:
        return None
    asked = set(_lower_words(rest))
    candidates = [w for w in dict.fromkeys(_LOWER_WORD.findall(previous))
                  if len(w) > 2 and w not in FUNCTION_WORDS and w not in asked]
    out = previous
    for word in own:
        old = _counterpart(word, candidates)
        if old is None:
            return None
        candidates.remove(old)
        out = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", word, out)
    return out


def _counterpart(word: str, candidates: list[str]) -> str | None:
    """The word of ``candidates`` that ``word`` stands in for: one with the same ending after a short head
    ("divergence" / "convergence", "disagree" / "agree", "long-term" / "short-term"), else the nearest in
    the model's input token embeddings at SWAP_SIMILARITY or more ("weaknesses" / "strengths" 0.49, "costs" /
    "benefits" 0.31, "risks" / "opportunities" 0.24)."""
    for other in candidates:
        shared = len(os.path.commonprefix([word[::-1], other[::-1]]))
        if shared >= 4 and len(word) - shared <= SWAP_HEAD and len(other) - shared <= SWAP_HEAD and word != other:
            return other
    from assistant.errors import AssistantError
    from assistant.expansion import token_ids, token_vectors

    try:
        ids = token_ids()
    except AssistantError:  # no model files: no embeddings to compare
        return None
    usable = [c for c in candidates if c in ids]
    if word not in ids or not usable:
        return None
    vectors = token_vectors([ids[word], *(ids[c] for c in usable)])
    similarity = vectors[1:] @ vectors[0]
    best = int(np.argmax(similarity))
    return usable[best] if similarity[best] >= SWAP_SIMILARITY else None


def _named(text: str) -> list[str]:
    """The names of ``text``; a name between an article and a noun, with that noun ("the Shiite crescent": "Shiite
    crescent")."""
    out = []
    for entity in entities(text):
        after = re.match(r" ([a-z][\w-]*)", text[entity.end:])
        modifies = re.search(r"\b(?:the|a|an) $", text[:entity.start], re.IGNORECASE) and not entity.possessive
        noun = after.group(1) if after and modifies and after.group(1) not in FUNCTION_WORDS else ""
        out.append(f"{entity.base} {noun}" if noun else entity.base)
    return out


def asks_other_thing(question: str, previous: str) -> bool:
    """Does a follow-up ask something else of what ``previous`` named: a question of its own ("And where do
    they disagree?" after "Where do Iran and Russia agree?", "What divides them?" after "What interests do
    Iran and Russia share?") that leans on a pronoun, has content words and shares none with ``previous``,
    which names something? Then only those names carry over (``contextualize``): the previous question's
    own words would retrieve its answer again. Not a question ending on a pronoun after a preposition or
    "do" ("What does Russia do about it?": the pronoun stands for the whole previous topic), nor one
    repeating a word of it ("What are their main goals?"), nor one after a "who" question (``answered_with``
    already gave it the names of the answer)."""
    rest = question[_opener_end(question):]
    if not _OPENS_QUESTION.match(rest):
        return False
    if not _uses_pronoun(question) or _ends_on_pronoun(question) or not entities(previous) or asks_who(previous):
        return False
    from assistant.lexical import terms

    own = [w for w in _lower_words(rest) if len(w) > 2 and w not in FUNCTION_WORDS and w not in PRONOUNS]
    return bool(own) and not set(terms(" ".join(own))) & set(terms(previous))


def _swap_question_word(rest: str, previous: str) -> str:
    """``previous`` with its opening question word replaced by the one ``rest`` asks ("Why?"), when
    ``rest`` is only a question word and ``previous`` opens with one; else ``previous``."""
    asked = _ASKS_AGAIN.match(rest)
    opening = re.match(r"\W*([A-Za-z]+)", previous)
    if asked is None or opening is None or opening.group(1).lower() not in QUESTION_WORDS:
        return previous
    word = asked.group(1)
    word = word[0].upper() + word[1:].lower() if opening.group(1)[0].isupper() else word.lower()
    return previous[: opening.start(1)] + word + previous[opening.end(1) :]


def _replacements(new: list[Entity], old: list[Entity]) -> list[tuple[Entity, Entity]]:
    """(mention in the previous question, new entity replacing it), in the previous question's order."""
    named = {e.base.lower() for e in new}
    left = [e for e in old if e.base.lower() not in named]
    chosen: dict[str, Entity] = {}  # old name (lower-cased) -> the new entity taking its place
    for entity in new:
        mentions = [e for e in old if e.base.lower() == entity.base.lower()]
        if not mentions or any(e.preposition == entity.preposition for e in mentions):
            continue
        other = next((e for e in left if e.preposition == entity.preposition and e.base.lower() not in chosen), None)
        if other is not None:  # a repeated name moved to another's slot: the two swap
            chosen[other.base.lower()], chosen[entity.base.lower()] = entity, other
    for entity in (n for n in new if n.base.lower() not in {e.base.lower() for e in old}):
        candidates = [e for e in left if e.base.lower() not in chosen]
        pick = (next((e for e in candidates if e.preposition == entity.preposition), None)
                or next((e for e in candidates if e.role == entity.role), None)
                or next(iter(candidates), None))
        if pick is not None:
            chosen[pick.base.lower()] = entity
    return [(e, chosen[e.base.lower()]) for e in old if e.base.lower() in chosen]


def asks_who(question: str) -> bool:
    """Does ``question`` ask who ("Who wrote this paper?", "And whose idea was it?")?"""
    return _ASKS_WHO.match(question) is not None


def answered_with(question: str, context: str | None, answer: str | None) -> str:
    """The text a question was answered with, for the next follow-up: ``effective(question,
    context)``, and after a "who" question the names its ``answer`` gives that the question lacks
    (``answer`` None or empty for an abstention: nothing added)."""
    asked = effective(question, context)
    if not answer or not asks_who(question):
        return asked
    known = {_base(w).lower() for e in entities(asked) for w in _WORD.findall(e.text)}
    names: list[str] = []
    for entity in entities(answer):
        if not {_base(w).lower() for w in _WORD.findall(entity.text)} <= known and entity.base not in names:
            names.append(entity.base)
    return " ".join([asked, *names[:CARRIED_NAMES]])


def effective(question: str, context: str | None) -> str:
    """The text a question was answered with: its context (if any) then the question."""
    return f"{context} {question}" if context else question

"""Follow-up questions: when a question leans on the previous one, what to add for retrieval.

``contextualize(question, previous)`` returns extra retrieval text (passed on as
``Assistant.ask(question, context=...)``) or ``None`` when the question stands alone.

A question is a follow-up of the previous one when any of these holds:

* it opens with a follow-up phrase: "and", "but", "also", "so", "then", "what about",
  "how about", "what of", "same for";
* it leans on a pronoun (it, its, they, them, their, this, that, these, those, he, she,
  his, her...) and names no entity of its own ("this paper", "the paper" do not count);
* it is short (four words or fewer) and has no content word of its own, only names and
  function words: "Why?", "And Russia?", "In Syria?".

Entities are names: capitalised words (with a possessive "'s" dropped), consecutive ones
grouped ("Middle East"), question and function words excluded ("What", "And", "Does").

The context is the previous question, edited so that a new entity *replaces* an old one:

* when the follow-up names no entity ("What are their goals?"), the context is the whole
  previous question: its entities are what the pronouns point at;
* when it names entities, each one removes one entity of the previous question, the first
  one with the same role, else the first one left. The role is "place" when the name comes
  after a preposition of place (in, at, within, across, ...; articles skipped), "other"
  otherwise. A removed name takes its article with it; names the follow-up repeats stay.
  So after "What are Iran's goals in the Middle East?", "And what about Russia?"
  removes "Iran's" (both "other") and keeps "Middle East" (a place): the context is
  "What are goals in the Middle East?", and retrieval looks for Russia's goals there.
  "And in Yemen?" after "What does Russia do in Syria?" replaces Syria, not Russia.

For a chain of follow-ups, pass as ``previous`` the text the previous question was
answered with (``effective(question, context)``), so the topic carries forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = ("and", "but", "also", "so", "then", "what about", "how about", "what of", "same for", "same question for")
PRONOUNS = frozenset(
    "it its they them their theirs this that these those he she his her him hers itself themselves".split()
)
NOT_PRONOUN_BEFORE = frozenset("paper article study report work author authors text document".split())
PLACE_PREPOSITIONS = frozenset("in at within across into inside throughout near around toward towards".split())
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

_WORD = re.compile(r"[A-Za-z][\w-]*(?:['\u2019]s)?")


@dataclass(frozen=True)
class Entity:
    text: str  # as written, e.g. "Iran's" or "Middle East"
    start: int
    end: int
    role: str  # "place" or "other"


def _base(word: str) -> str:
    return re.sub(r"['\u2019]s$", "", word)


def _is_name(word: str) -> bool:
    base = _base(word)
    return base[:1].isupper() and base.lower() not in FUNCTION_WORDS


def entities(text: str) -> list[Entity]:
    """Names in ``text``: capitalised non-function words, consecutive ones grouped."""
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
        found.append(Entity(text[start:end], start, end, _role([w.group().lower() for w in words[:i]])))
        i = j + 1
    return found


def _role(before: list[str]) -> str:
    while before and before[-1] in ARTICLES:
        before = before[:-1]
    return "place" if before and before[-1] in PLACE_PREPOSITIONS else "other"


def _lower_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z][\w'\u2019-]*", text)]


def _uses_pronoun(question: str) -> bool:
    words = _lower_words(question)
    return any(w in PRONOUNS and (i + 1 == len(words) or words[i + 1] not in NOT_PRONOUN_BEFORE) for i, w in enumerate(words))


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the previous one (see the module docstring for the rule)?"""
    lowered = " ".join(_lower_words(question))
    if any(lowered == opener or lowered.startswith(opener + " ") for opener in OPENERS):
        return True
    names = entities(question)
    if _uses_pronoun(question) and not names:
        return True
    words = _lower_words(question)
    name_words = {w.lower() for e in names for w in _WORD.findall(e.text)}
    content = [w for w in words if w not in FUNCTION_WORDS and w not in name_words]
    return 0 < len(words) <= SHORT_WORDS and not content


def contextualize(question: str, previous: str | None) -> str | None:
    """Retrieval context for ``question`` asked after ``previous``; ``None`` when it stands alone."""
    if not previous or not previous.strip() or not is_follow_up(question):
        return None
    new = entities(question)
    if not new:
        return " ".join(previous.split())
    named = {_base(n.text).lower() for n in new}
    old = [e for e in entities(previous) if _base(e.text).lower() not in named]
    repeated = {_base(e.text).lower() for e in entities(previous)}
    removed: list[Entity] = []
    for entity in (n for n in new if _base(n.text).lower() not in repeated):
        left = [e for e in old if e not in removed]
        same_role = [e for e in left if e.role == entity.role]
        if same_role or left:
            removed.append((same_role or left)[0])
    context = previous
    for entity in sorted(removed, key=lambda e: e.start, reverse=True):
        head = re.sub(r"\b(?:the|a|an)\s+$", "", context[: entity.start], flags=re.IGNORECASE)
        context = head + context[entity.end :]
    context = " ".join(context.split())
    context = re.sub(r"\s+([?.,!;:])", r"\1", context)
    return context if _lower_words(context) else None


def effective(question: str, context: str | None) -> str:
    """The text a question was answered with: its context (if any) then the question."""
    return f"{context} {question}" if context else question

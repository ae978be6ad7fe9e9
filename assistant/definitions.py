"""Questions that ask what a term is, and the sentences that say so.

"What is a tablet?" is best answered by the sentence that defines the term ("Each row range is called
a tablet, which is ..."), not by the one that uses it most ("When a tablet is unassigned, ..."): the
defining sentence shares only the term with the question, so dense and BM25 scores often rank a
sentence that repeats the term above it. A definition question names one short term; a sentence
defines it when it opens with the term followed by a copula or "refers to" ("A vector clock is ..."),
names it ("called a tablet", "known as", "we call ... X", "we dub ... X", "X is defined as", "An application programming
interface, or API, is", "... (API) is"), says when it holds ("An impasse is declared when ..."), or sets it in
apposition ("Dynamo, a highly available key-value store", "Essentia 2.0, an extensive library"). "X is assigned ...", "X is only worthwhile if ...", "X is
currently being developed", "APIs are usually the result of ..." use the term, so a passive, "not",
"only", an adverb of frequency or "also", or another adverb not followed by an article does not count. Pure functions over strings; answer.select_sentences
reads them.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_TERM_WORDS = 5  # a longer noun phrase is a topic ("What is Russia's goal in Syria?"), not a term

_ASKS = tuple(re.compile(p, re.I) for p in (
    r"^\s*(?:define|explain the term|what is meant by|what do(?:es)?\s+(?:the\s+)?(?:authors?|paper|they)\s+mean\s+by"
    r"|how\s+do(?:es)?\s+(?:the\s+)?(?:authors?|paper|they|it)\s+define)\s+(?:an?\s+|the\s+)?[\"“‘']?(?P<term>[^?\"”’]+?)[\"”’']?\s*[?.!]?\s*$",
    r"^\s*what\s+does\s+(?:an?\s+|the\s+)?[\"“‘']?(?P<term>[^?\"”’]+?)[\"”’']?\s+(?:mean|stand\s+for|refer\s+to)\s*[?.!]?\s*$",
    r"^\s*(?:(?:so|and|ok(?:ay)?|then),?\s+)?(?:what|who)(?:'s|\s+(?:is|are|was|were))\s+(?:an?\s+|the\s+)?(?P<term>[^?]+?)\s*[?.!]?\s*$",
))
# a question word or an aspect that makes it something other than a term ("What is the main argument?",
# "What is the role of Iran?", "Who is the author?")
_NOT_A_TERM = re.compile(
    r"\b(?:role|goal|goals|aim|aims|purpose|reason|reasons|cause|causes|difference|relationship|position|stance|view|"
    r"argument|conclusion|finding|findings|result|results|contribution|method|approach|main|author|authors|paper|study|"
    r"article|it|this|that|they|them|these|those|there|here|next|new|best|most|first|last|between|of|in|on|for|about|"
    r"with|to|from|by|how|why|when|where|which|who|what)\b|'s\b|’s\b|\d",
    re.I,
)


_WITHIN = re.compile(r"\s+(?:in|within)\s+(?:the\s+)?[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*)*$")  # "... in Bigtable"
_LABEL = re.compile(r"^(?:the\s+)?(?:term|word|phrase|concept|notion|acronym|abbreviation)\s+", re.I)


def defined_term(question: str) -> str | None:
    """The term a question asks to define ("What is a tablet?": "tablet"), or None."""
    found = next((m for m in (p.match(question) for p in _ASKS) if m), None)
    if found is None:
        return None
    term = _LABEL.sub("", re.sub(r"\s*\([^)]*\)", "", found.group("term"))).strip("\"“”‘’' ")  # "(NRs)", "the term"
    term = _WITHIN.sub("", term)  # "an impasse in MEXICA": "impasse"
    term = " ".join(term.split())
    words = term.split()
    if not words or len(words) > MAX_TERM_WORDS or _NOT_A_TERM.search(term):
        return None
    if len(words) > 1 and words[0][:1].isupper() and words[-1].endswith("ing"):
        return None  # "What is Anastasia Goncharova studying?" asks what someone does
    return term


@lru_cache(maxsize=64)
def _patterns(term: str) -> re.Pattern:
    words = [re.escape(w) for w in (*term.split()[:-1], _singular(term.split()[-1]))]
    name = r"[\"“‘']?" + r"[\s-]+".join(words) + r"(?:s|es)?[\"”’']?"  # "vector clock(s)", "“sloppy quorum”"
    return re.compile(
        rf"(?:^|;\s+)(?:(?:an?|the|each|every)\s+)?{name}(?:\s*\([^)]{{1,40}}\))?,?\s+(?:(?:is|are|was|were)(?!\s+(?:not|no|only|being|\w+ed|\w+en|usually|often|sometimes|rarely|seldom|frequently|always|never|also)\b)(?!\s+\w+ly\s+(?!an?\s|the\s))|refers?\s+to|means?|denotes?|consists?\s+of)\s"
        rf"|\b(?:called|termed|named|known\s+as|referred\s+to\s+as|dubbed|defined\s+as)\s+(?:an?\s+|the\s+)?{name}(?!\w)"
        rf"|\b(?:we|I)\s+(?:call|define|term|name|refer\s+to|dub|coin)\b.{{0,80}}?{name}(?!\w)"
        rf"|(?<!\w){name}\s+(?:is|are)\s+defined\s+(?:as|by|to\s+be)\b"
        rf"|\bdefine[sd]?\s+(?:the\s+)?{name}\s+as\b"  # "Baker (2005) defined gaming the system as ..."
        rf"|^(?:(?:an?|the)\s+)?{name}:\s"
        rf"|(?<!\w){name}(?:\s+v?\d[\w.]*)?(?:\s*\([^)]{{1,40}}\))?,\s+an?\s+\w+"  # "Essentia 2.0, an extensive ..."
        rf"|^(?:(?:an?|the)\s+)?[\w\s-]{{3,60}}?(?:,\s+or\s+{name},|\s*\({name}\),?)\s+(?:is|are|refers?\s+to|means?|denotes?)\s"  # "An application programming interface, or API, is"
        rf"|(?:^|;\s+)(?:(?:an?|the)\s+)?{name}\s+(?:is|are)\s+(?:declared|said\s+to\s+\w+|deemed\s+to\s+\w+)\s+(?:when|if|whenever)\b",  # "An impasse is declared when ..."
        re.I,
    )


def _singular(word: str) -> str:
    """"clocks": "clock", "processes": "process" (the pattern takes the plural endings back)."""
    if re.search(r"(?:ss|x|ch|sh)es$", word):
        return word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def names_term(text: str, term: str) -> bool:
    """Does ``text`` hold the term's words at all (a cheap test before ``defines``)?"""
    return term.split()[-1].lower()[:-1] in text.lower()


def defines(text: str, term: str) -> bool:
    """Does the sentence define ``term`` (see the module's docstring), or, for an acronym, spell it out
    ("... personal protective equipment (PPE) ...": ``spells_out``)?"""
    return _patterns(term.lower()).search(text) is not None or (is_acronym(term) and spells_out(text, term) is not None)


def is_acronym(term: str) -> bool:
    """One word, mostly capitals, at least two of them: "PPE", "IFITM", "RANBP2", "NGOs"."""
    letters = [c for c in term if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return " " not in term and 2 <= len(term) <= 12 and capitals >= 2 and capitals * 2 >= len(letters)


def spells_out(text: str, acronym: str) -> str | None:
    """The words before "(ACRONYM)" in ``text`` that it abbreviates, or None: each of its letters and digits
    found in order, from the right, the first at the start of a word, within min(n + 5, 2n) words for n
    letters (the long-form search of Schwartz and Hearst, 2003): "interferon-induced transmembrane (IFITM)";
    each of its words but "of", "and", ... opens with one of the acronym's letters."""
    short = [c.lower() for c in acronym if c.isalnum()]
    for match in re.finditer(rf"\(\s*{re.escape(acronym)}\s*[),;]", text):
        words = text[: match.start()].split()
        before = " ".join(words[-min(len(short) + 5, 2 * len(short)):])
        found = _long_form(before, short)
        if (found is not None and len(found) > len(acronym) + 1  # not "PPE (PPE)"
                and all(w[0] in short for w in re.findall(r"[a-z][\w'-]*", found.lower()) if w not in _LINKING)):
            return found  # each word but a linking one gives a letter: not "physician in full protective gear (PPE)"
    return None


_LINKING = frozenset("of for the and in on to a an with by at de du la le del der und".split())


def _long_form(before: str, short: list[str]) -> str | None:
    lower = before.lower()
    at = len(lower) - 1
    for k in range(len(short) - 1, -1, -1):
        while at >= 0 and (lower[at] != short[k] or (k == 0 and at > 0 and lower[at - 1].isalnum())):
            at -= 1
        if at < 0:
            return None
        at -= 1
    start = at + 1
    return before[start:].strip() or None

"""The names a question asks about, and which sentences of a document name them (entity agreement).

A paper comparing two actors (Iran and Russia) names both in most paragraphs, so their idf is low
and a sentence about the wrong one costs the ranker almost nothing. The learned ranker therefore
reads whether a candidate sentence, its window and its paragraph name what the question names
(``ranker.ENTITY_FEATURES``).

A name is a capitalised word that does not open a sentence or an acronym (``abstain.question_names``,
the extractor abstention uses), normalised to one key: possessive and plural dropped ("Iran's",
"Sunnis"), a state's capital or seat of power, its demonym and its abbreviation become the state
("the Kremlin", "Moscow", "Russian", "Russians" -> russia; "U.S." -> united states; see
``metonyms.STATES``, ``metonyms.DEMONYMS`` and ``metonyms.ABBREVIATIONS``). A sentence's opening
word counts as a name when the document uses it as one elsewhere.

The per-sentence keys are computed once per document (``document_names``, postings as arrays);
per question, ``agreement`` marks each asked name's sentences in a boolean mask over the document
and reads the candidates from it (on 12,135 sentences with 3 names and 70 candidates: 45 us; looking
the candidates up in the postings with ``np.isin`` instead took 500 us). Nothing here names a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from assistant import abstain, metonyms

@lru_cache(maxsize=1)
def _states() -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern of every written form of a state (name, capital or seat, demonym, abbreviation) and
    each form's state."""
    forms = {state: state for state in metonyms.STATES}
    forms.update({name: state for state, names in metonyms.STATES.items() for name in names})
    forms.update(metonyms.DEMONYMS)
    forms.update(metonyms.ABBREVIATIONS)
    longest_first = sorted(forms, key=len, reverse=True)
    # every form opens with a capital: the look-ahead spares trying each form at every other position
    pattern = re.compile(r"(?<![\w.])(?=[A-Z])(" + "|".join(re.escape(f) for f in longest_first) + r")(?:s|['’]s?)?(?![\w])")
    return pattern, forms


def key(name: str) -> str:
    """One name's key: lower-cased, possessive and plural "s" dropped ("Sunnis" and "Sunni's": sunni)."""
    name = re.sub(r"['’]s?$", "", name).lower()
    return name[:-1] if len(name) > 4 and name.endswith("s") and not name.endswith("ss") else name


def names(text: str) -> tuple[str, ...]:
    """The keys of the names in ``text`` (a question, or a sentence leaving out its opening word),
    in order, once each: states in any written form, then the other names."""
    pattern, forms = _states()
    found: list[str] = []
    blanked = text
    for match in pattern.finditer(text):
        found.append(forms[match.group(1)].lower())
        blanked = blanked[: match.start()] + " " * (match.end() - match.start()) + blanked[match.end():]
    found += [key(part) for part in abstain.question_names(blanked) if part[:1].isupper()]
    return tuple(dict.fromkeys(found))


def _opening(text: str) -> str | None:
    """The key of the word ``text`` opens with (a name only if the document uses it as one elsewhere)."""
    first = re.match(r"\W*([A-Z][\w'’]*)", text)
    return key(re.split(r"['’]", first.group(1))[0]) if first else None


@dataclass(frozen=True)
class Names:
    """Where a document names what: per name key, the sentences holding it (sorted ids)."""

    postings: dict[str, np.ndarray]
    paragraph: np.ndarray  # paragraph id per sentence


def document_names(texts: Sequence[str], paragraph: np.ndarray) -> Names:
    """The name postings of a document's sentences (display texts)."""
    per_sentence = [set(names(t)) for t in texts]
    known = set().union(*per_sentence) if per_sentence else set()
    for own, text in zip(per_sentence, texts):
        opening = _opening(text)
        if opening is not None and opening in known:
            own.add(opening)
    lists: dict[str, list[int]] = {}
    for i, own in enumerate(per_sentence):
        for k in own:
            lists.setdefault(k, []).append(i)
    return Names({k: np.asarray(ids, dtype=np.int64) for k, ids in lists.items()}, np.asarray(paragraph, dtype=np.int64))


def agreement(asked: Sequence[str], doc: Names, ids: np.ndarray) -> list[np.ndarray]:
    """Per candidate sentence ``ids``, three columns: the share of the asked names (keys the document
    holds somewhere) missing from the sentence, from its window (it or a neighbour in its paragraph)
    and from its paragraph. All zeros when the question names nothing the document holds."""
    held = [k for k in dict.fromkeys(asked) if k in doc.postings]
    if not held or len(ids) == 0:
        return [np.zeros(len(ids)) for _ in range(3)]
    n = len(doc.paragraph)
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = doc.paragraph[1:] == doc.paragraph[:-1]
    found = np.zeros((3, len(ids)))
    for k in held:
        where = np.zeros(n, dtype=bool)
        where[doc.postings[k]] = True
        window = where.copy()
        window[1:] |= where[:-1] & same_prev[1:]
        window[:-1] |= where[1:] & same_prev[1:]
        paragraphs = np.zeros(int(doc.paragraph.max()) + 1, dtype=bool)
        paragraphs[doc.paragraph[where]] = True
        found += np.vstack([where[ids], window[ids], paragraphs[doc.paragraph[ids]]])
    return list(1.0 - found / len(held))

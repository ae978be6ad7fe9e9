"""Who wrote a document: the byline under its title, read from the document's own first lines.

Most papers carry no usable ``/Author`` in their PDF metadata (none, a user name such as
"Administrator", or one first name), but nearly all print their authors right under the title:

    The Tern Migration Atlas
    Ana Ruiz, Bo Lindqvist, Chidi Okafor and Dana M. Weiss
    Institute of Coastal Studies
    Abstract

``authors(text, title)`` reads that byline: the lines just after the title whose parts
(split at commas, semicolons, "and", "&") are person names, an affiliation part allowed beside
them ("Ana Ruiz, Coastal Labs Inc."), a name broken across two lines joined again. It stops at
the first line that is not a byline (an e-mail, an address, a date, "Abstract"); a document
without such lines has no authors rather than wrong ones. Pure functions over text.
"""

from __future__ import annotations

import re

from assistant.text import NOTE_MARKS, SUPERSCRIPT_DIGITS

FRONT_LINES = 12  # the title and byline are within a document's first lines
BYLINE_START = 4  # the byline starts at most this many lines after the title

_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b)\s*|(?<=[*∗†‡§¶])\s+")  # and after a mark: "Yair Sovran∗ Russell Power∗"
_MARKERS = re.compile(rf"(?:(?<=[^\W\d_])\s?\d{{1,2}}|[{NOTE_MARKS}?{SUPERSCRIPT_DIGITS}]|(?<=[a-z]) t)+$")  # affiliation and footnote marks after a name
# ("Clarke1", "Tzanetakis 1", "Sirer†", "Peleg t": a dagger an old scan's text reads as "t"), not a year ("Communications July 1974")
_TOKEN = re.compile(r"(?![a-z])[^\W\d_](?:[^\W\d_]|['’\-])*\.?$|(?:[A-Z]\.){2,3}$")  # a capital, then letters of any script:
# "François"; or initials set without spaces: "J.H."
_PARTICLES = frozenset("van von de da der den del della di du la le bin ibn al el y".split())
ORG_WORDS = frozenset(
    "inc inc. ltd ltd. llc corp corp. corporation university universität université universidad università universidade "
    "universitet universiteit institutionen institut instituto istituto hochschule högskola hogskola project institute "
    "laboratory laboratories lab labs research department dept dept. school college centre center company group "
    "foundation entertainment society press academy ministry agency council hospital clinic engineering imagineering "
    "infolab sciences uc suny epfl inria ethz csail kaist germany ireland france italy spain netherlands switzerland "
    "sweden norway denmark finland austria belgium israel japan china korea india canada australia brazil usa "
    "facebook google microsoft ibm yahoo intel nvidia senior member fellow ieee acm asa gmbh plc street avenue road square "
    "boulevard".split()
)  # an affiliation's or a place's word: "UC Santa Cruz", "Stanford InfoLab", "Northern Ireland" are no names
# words that open headings and front-matter lines, never a name: "Executive Summary", "Table of Contents"
_NOT_NAMES = frozenset(
    "abstract summary executive introduction contents table figure chapter part section overview background preface "
    "foreword acknowledgements acknowledgments notes appendix keywords index references bibliography draft version "
    "report paper working technical series volume number issue edition copyright all rights reserved "
    "the a an of for in on to with by from".split()
)


# The last line of a publisher's cover page before the paper's own first page: "Open access to the Proceedings
# of the 11th USENIX Symposium on ..." / "is sponsored by USENIX." Unlike a repository's cover (``ingest``)
# it is kept, for it names the venue and the date, but the title and byline are read after it.
_COVER_END = re.compile(r"\bis sponsored by (?:the )?USENIX\b", re.I)
COVER_LINES = 24  # such a cover ends within the text's first lines


def cover_end(lines: list[str]) -> int:
    """How many of ``lines`` belong to a publisher's cover page (0 when it has none)."""
    return next((i + 1 for i, line in enumerate(lines[:COVER_LINES]) if _COVER_END.search(line)), 0)


def authors(text: str, title: str = "") -> tuple[str, ...]:
    """The names on the byline under ``title`` in the first lines of ``text`` (empty when none)."""
    lines = [_uncapitalised(_plain(line)) for line in text.splitlines()[: (FRONT_LINES + COVER_LINES) * 3]]
    lines = [line for line in lines if line]
    lines = lines[cover_end(lines):][:FRONT_LINES]
    start = _after_title(lines, title)
    if start and title.split() and title.split()[-1].lower() in _GOES_ON:
        start += 1  # a title cut after "... EXPRESSIONS IN": its next line ("FIRST-ORDER LOGIC") is the rest of it
    for first in range(start, min(start + BYLINE_START, len(lines))):
        names = _byline(lines[first:])
        if names or _prose(lines[first]):  # a subtitle may come before the byline; the body may not
            stacked = _over_emails(lines[first:])
            return stacked if len(stacked) > len(names) else names
    # the title not found, or not right above its byline (a reprint's header above it): a line of two names or more
    return next((names for first in range(len(lines)) if len(names := _byline(lines[first : first + 1])) >= 2), ())


def reads_as_byline(lines: list[str]) -> bool:
    """Do ``lines`` open with a byline (person names, affiliations beside them)? One name alone counts when it
    is short or has an initial, as a name is and a title line in capitals is not ("Automatic Database Result Caching")."""
    names = _byline([_uncapitalised(_plain(line)) for line in lines])  # "C. A. R. HOARE" as "authors" reads it
    return len(names) > 1 or any(len(name.split()) <= 3 or re.search(r"\b[A-Z]\.", name) for name in names)


def metadata_authors(value: str) -> tuple[str, ...]:
    """Person names in a PDF's ``/Author`` value: a user name or "Administrator" is not one."""
    parts = [" ".join(part.split()) for part in _SPLIT.split(" ".join(str(value).split()))]
    return tuple(part for part in parts if part and _is_name(part))


_GOES_ON = frozenset("a an the of for in on to with and or by from at as via".split())


def _uncapitalised(line: str) -> str:
    """A line set in capitals, as many bylines are ("C. A. R. HOARE", "CYNTHIA DWORK AND NANCY LYNCH",
    "JOHN H. WENSLEY, LESLIE LAMPORT, ..."), in title case ("Cynthia Dwork and Nancy Lynch"); any other line as it is."""
    if not re.search(r"[A-Z]{3}", line) or not line.isupper() or re.search(r"\d", line):
        return line
    return re.sub(r"\bAnd\b", "and", line.title().replace("’S", "’s").replace("'S", "'s"))


def _prose(line: str) -> bool:
    words = len(line.split())
    return words >= 16 or (words >= 5 and line.rstrip().endswith((".", "!", "?")))


def _plain(line: str) -> str:
    """A line without Markdown marks ("# ", "**", "_") and a leading "by" (a name after it in capitals is
    title-cased: "By C. E. SHANNON")."""
    line = re.sub(r"^\s*#+\s*|[*_`]|[(<][^()<>]*@[^()<>]*[)>]", "", line)  # and "(name@host)"
    line = joined_accents(line).strip()
    named = re.sub(r"^by\s+", "", line, flags=re.I)
    return named.title() if named != line and named.isupper() else named  # "By C. E. SHANNON": "C. E. Shannon"


def joined_accents(text: str) -> str:
    """``text`` without the accents PDFium set apart from their letters ("Joao Leit ˜ ao˜" for João Leitão, "Pat
    Stephenson, ´", "Lu´ıs", "Emin G ¨ un Sirer ¨"), a dotless i as "i": names as the byline reads them."""
    return _LONE_ACCENT.sub("", _SPLIT_ACCENT.sub("", text)).replace("ı", "i")


_SPLIT_ACCENT = re.compile(r"(?<=[^\W\d_]) ?[´˜¨ˆˇ˚¸˝`] ?(?=[a-zı])")  # inside a word: joined again
_LONE_ACCENT = re.compile(r"[´˜¨ˆˇ˚¸˝`]")
_EMAIL = re.compile(r"^\S+@\S+\.\w+$")
_OPENS_TEXT = re.compile(r"(?:abstract|introduction|keywords|index terms|1\.?\s)", re.I)


def _over_emails(lines: list[str]) -> tuple[str, ...]:
    """The names of a byline set one author to a line, each over an e-mail address, perhaps with an
    affiliation line between ("Roger Dingledine" / "The Free Haven Project" / "arma@freehaven.net"):
    read up to the first line of prose or a heading such as "Abstract"."""
    names = []
    for i, line in enumerate(lines):
        if _prose(line) or _OPENS_TEXT.match(line):
            break
        below = lines[i + 1 : i + 3]
        if _is_name(line) and any(_EMAIL.match(other) for other in below) and not any(_is_name(other) for other in below[:1]):
            names.append(line)
    return tuple(dict.fromkeys(names))


TITLE_LINES = 5  # a title takes at most this many lines
TITLE_START = 8  # ... and starts within the first lines: a journal's department and its editors may stand above it
# ("Programming Techniques" / "S. L. Graham, R. L. Rivest" / "Editors" / "Communicating" / "Sequential Processes")


def _after_title(lines: list[str], title: str) -> int:
    """The index of the first line after the title (the title may take several lines, and a venue or
    report line may stand above it: "Technical Report No. 321" / "Affective Computing"); 1 when the
    title is not found at the top (the first line is taken for it)."""
    wanted = " ".join(title.split()).lower()
    for begin in range(min(TITLE_START, len(lines))):
        seen = ""
        for i, line in enumerate(lines[begin : begin + TITLE_LINES], start=begin):
            seen = f"{seen} {line}".strip().lower()
            if wanted and seen == wanted:
                return i + 1
            if not wanted.startswith(seen):
                break
    return 1 if lines else 0


_DASHED = re.compile(r"\s+[–—]\s+")  # "Daniel Price and Andrew Tucker – Sun Microsystems, Inc.": the names, then where they work
_HONORIFIC = re.compile(r"^(?:Prof(?:essor)?|Dr|Mr|Mrs|Ms)\.?\s+(?=[A-Z])")  # "Prof. Ketan Shah ...": no part of the name


def _byline(lines: list[str]) -> tuple[str, ...]:
    """The names of the run of byline lines at the start of ``lines``. On a line, what follows a spaced dash,
    or an affiliation after a name ("John McCarthy, Massachusetts Institute of Technology, Cambridge, Mass."),
    is where they work, not more names."""
    names: list[str] = []
    carry = ""
    for k, line in enumerate(lines):
        line = _DASHED.split(line, maxsplit=1)[0]
        parts = [_HONORIFIC.sub("", _MARKERS.sub("", part).strip()) for part in _SPLIT.split(f"{carry} {line}".strip())]
        parts = [part for part in parts if part]
        placed = next((i for i, part in enumerate(parts) if i and _is_affiliation(part) and _is_name(parts[i - 1])), None)
        if placed is not None:
            parts = parts[: placed + 1]  # the institution kept (it is an affiliation), its place and address dropped
        if not parts and not carry:
            continue  # a line of affiliation marks only ("†"), set apart from its name
        carry = ""
        if (parts and not line.rstrip().endswith((",", ";")) and _single_given_name(parts[-1])
                and re.search(rf",\s*{re.escape(parts[-1])}\W*$", line)):
            carry = parts.pop()  # "..., Avinash" / "Lakshman, ...": a name broken across lines (not "... and Availability")
        parts = [name for part in parts for name in _spaced_names(part)]
        if names and parts and (_is_affiliation(parts[0]) or "@" in line):
            if _names_follow(lines[k + 1 : k + 1 + LOOK_AHEAD]):
                carry = ""  # the affiliation's last word ("..., Connecticut") is no given name broken across lines
                continue  # "Michael A. Bender" / "SUNY Stony Brook" / "Martín Farach-Colton" / ...: one author a line, each over an affiliation
            break  # "University of California, Santa Cruz": a place after an institution is no author
        found = [part for part in parts if _is_name(part)]
        if not found or not all(part in found or _is_affiliation(part) for part in parts):
            break
        names.extend(found)
    return tuple(dict.fromkeys(names))


LOOK_AHEAD = 3  # lines past an affiliation to the next author's: an e-mail line, an "AND" line between


def _names_follow(lines: list[str]) -> bool:
    """Is the first line of ``lines`` that is not an e-mail address, an affiliation or a bare "and" a line of names
    ("Yahoo! Grid" / "{phunt,mahadev}@yahoo-inc.com" / "Flavio P. Junqueira and Benjamin Reed")?"""
    for line in lines:
        parts = [part for part in (_MARKERS.sub("", part).strip() for part in _SPLIT.split(line)) if part]
        if not parts or "@" in line or all(_is_affiliation(part) for part in parts):
            continue
        return all(_is_name(part) for part in parts)
    return False


_SPACED = re.compile(r"[A-Z][\w'’-]+(?:\s+[A-Z]\.)*\s+[A-Z][\w'’-]+")


def _spaced_names(part: str) -> list[str]:
    """Names set side by side with nothing between them but spaces, told apart by their initials
    ("Sage A. Weil Andrew W. Leung Scott A. Brandt Carlos Maltzahn"), or three names or more of two words
    each around them ("Patrick M. Rondon Ming Kawaguchi Ranjit Jhala"), or two of two words ("Chaoran Yang John
    Mellor-Crummey": no one name has four words without a particle or an initial); any other part as it is."""
    initials, words = len(re.findall(r"\b[A-Z]\.", part)), part.split()
    pair = len(words) == 4 and not initials and not any(word.lower() in _PARTICLES for word in words)
    if not pair and (len(words) <= 5 or (initials < 2 and len(words) - initials < 6)):
        return [part]
    names = _SPACED.findall(part)
    if " ".join(names) != " ".join(words):
        return [part]
    if initials < 2 and 2 * sum(reads_as_words(name) for name in names) >= len(names):  # "Automatic Database Result
        # Caching": a title's line; not "Dan Ingalls Ted Kaehler John Maloney Scott Wallace Alan Kay", two of five read as words
        return [part]
    return names


def reads_as_words(name: str, share: float = 1.0) -> bool:
    """Are (at least ``share`` of) the words of ``name`` common English words (hyphenation.lexicon), as a
    title's words are and few names' ("Automatic Database", not "Chaoran Yang")?"""
    from assistant.hyphenation import lexicon

    words = lexicon()
    parts = [part for token in name.lower().split() for part in re.findall(r"[^\W\d_]+", token)]
    return bool(words) and bool(parts) and sum(part in words for part in parts) >= share * len(parts)


def _is_name(part: str) -> bool:
    tokens = part.split()
    if not 2 <= len(tokens) <= 5 or any(c.isdigit() or c in "@/:()" for c in part):
        return False
    if any(_stopword(token) or token.lower() in ORG_WORDS for token in tokens):
        return False
    named = [token for token in tokens if token.lower() not in _PARTICLES]
    if not all(_TOKEN.match(token) for token in named) or tokens[0].lower() in _PARTICLES:
        return False
    if len(named) >= 4 and reads_as_words(" ".join(named), 0.75):  # "Automatic Database Result Caching": a title's line
        return False
    return any(sum(c.islower() for c in token) >= 2 for token in named)  # a surname, not only initials


def _stopword(token: str) -> bool:
    word = token.lower().rstrip(".")
    return len(word) > 1 and word in _NOT_NAMES  # an initial ("A.") is not the article "a"


def _single_given_name(part: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-z'’\-]+", part)) and part.lower() not in _NOT_NAMES


def _is_affiliation(part: str) -> bool:
    words = {word.lower().strip(",!.;:") for word in part.split()}
    return bool(words & ORG_WORDS)

"""Capitals and seats of power that stand for their state ("the Kremlin", "Tehran", "Washington").

Readers write "What does Tehran get from Moscow?" where a paper writes "Iran" and "Russia", or the
other way round; BM25 sees no shared term. A question's lexical terms therefore also get the state
each such name stands for. Only names that are rarely anything else are listed (no "Victoria",
"Male" or "Santiago"); nothing here depends on a particular document. ``DEMONYMS`` and
``ABBREVIATIONS`` are the other written forms of the same states ("Russian", "U.S."), which
entities.py reads for the names a question asks about; BM25 aliasing uses only the capitals.
"""

from __future__ import annotations

import re
from functools import lru_cache

STATES: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("Kabul",),
    "Algeria": ("Algiers",),
    "Argentina": ("Buenos Aires",),
    "Armenia": ("Yerevan",),
    "Australia": ("Canberra",),
    "Austria": ("Vienna",),
    "Azerbaijan": ("Baku",),
    "Bahrain": ("Manama",),
    "Bangladesh": ("Dhaka",),
    "Belarus": ("Minsk",),
    "Belgium": ("Brussels",),
    "Brazil": ("Brasilia", "Brasília"),
    "Canada": ("Ottawa",),
    "China": ("Beijing", "Peking", "Zhongnanhai"),
    "Cuba": ("Havana",),
    "Egypt": ("Cairo",),
    "Ethiopia": ("Addis Ababa",),
    "European Union": ("Brussels",),
    "France": ("Paris", "Elysée", "Élysée", "Quai d'Orsay"),
    "Georgia": ("Tbilisi",),
    "Germany": ("Berlin",),
    "Greece": ("Athens",),
    "India": ("New Delhi", "Delhi"),
    "Indonesia": ("Jakarta",),
    "Iran": ("Tehran", "Teheran"),
    "Iraq": ("Baghdad",),
    "Israel": ("Jerusalem", "Tel Aviv", "Knesset"),
    "Italy": ("Rome",),
    "Japan": ("Tokyo",),
    "Jordan": ("Amman",),
    "Kazakhstan": ("Astana", "Nur-Sultan"),
    "Kuwait": ("Kuwait City",),
    "Kyrgyzstan": ("Bishkek",),
    "Lebanon": ("Beirut",),
    "Libya": ("Tripoli",),
    "Mexico": ("Mexico City",),
    "Morocco": ("Rabat",),
    "Nigeria": ("Abuja",),
    "North Korea": ("Pyongyang",),
    "Oman": ("Muscat",),
    "Pakistan": ("Islamabad",),
    "Poland": ("Warsaw",),
    "Qatar": ("Doha",),
    "Russia": ("Moscow", "Kremlin"),
    "Saudi Arabia": ("Riyadh",),
    "South Korea": ("Seoul",),
    "Soviet Union": ("USSR", "U.S.S.R."),
    "Spain": ("Madrid",),
    "Sudan": ("Khartoum",),
    "Sweden": ("Stockholm",),
    "Syria": ("Damascus",),
    "Tajikistan": ("Dushanbe",),
    "Tunisia": ("Tunis",),
    "Turkey": ("Ankara",),
    "Turkmenistan": ("Ashgabat",),
    "Ukraine": ("Kyiv", "Kiev"),
    "United Arab Emirates": ("Abu Dhabi",),
    "United Kingdom": ("London", "Whitehall", "Downing Street"),
    "United States": ("Washington", "White House", "Pentagon", "America"),
    "Uzbekistan": ("Tashkent",),
    "Venezuela": ("Caracas",),
    "Vietnam": ("Hanoi",),
    "Yemen": ("Sanaa", "Sana'a"),
}


# A state's adjective or people, for the states metonyms.STATES lists (plural "s" is allowed).
DEMONYMS: dict[str, str] = {
    "Afghan": "Afghanistan", "Algerian": "Algeria", "Argentine": "Argentina", "Argentinian": "Argentina",
    "Armenian": "Armenia", "Australian": "Australia", "Austrian": "Austria", "Azerbaijani": "Azerbaijan",
    "Azeri": "Azerbaijan", "Bahraini": "Bahrain", "Bangladeshi": "Bangladesh", "Belarusian": "Belarus",
    "Belgian": "Belgium", "Brazilian": "Brazil", "Canadian": "Canada", "Chinese": "China", "Cuban": "Cuba",
    "Egyptian": "Egypt", "Ethiopian": "Ethiopia", "French": "France", "Georgian": "Georgia", "German": "Germany",
    "Greek": "Greece", "Indian": "India", "Indonesian": "Indonesia", "Iranian": "Iran", "Iraqi": "Iraq",
    "Israeli": "Israel", "Italian": "Italy", "Japanese": "Japan", "Jordanian": "Jordan", "Kazakh": "Kazakhstan",
    "Kuwaiti": "Kuwait", "Kyrgyz": "Kyrgyzstan", "Lebanese": "Lebanon", "Libyan": "Libya", "Mexican": "Mexico",
    "Moroccan": "Morocco", "Nigerian": "Nigeria", "North Korean": "North Korea", "Omani": "Oman",
    "Pakistani": "Pakistan", "Polish": "Poland", "Qatari": "Qatar", "Russian": "Russia", "Saudi": "Saudi Arabia",
    "South Korean": "South Korea", "Soviet": "Soviet Union", "Spanish": "Spain", "Sudanese": "Sudan",
    "Swedish": "Sweden", "Syrian": "Syria", "Tajik": "Tajikistan", "Tunisian": "Tunisia", "Turkish": "Turkey",
    "Turkmen": "Turkmenistan", "Ukrainian": "Ukraine", "Emirati": "United Arab Emirates", "British": "United Kingdom",
    "American": "United States", "Uzbek": "Uzbekistan", "Venezuelan": "Venezuela", "Vietnamese": "Vietnam",
    "Yemeni": "Yemen", "European": "European Union",
}
ABBREVIATIONS: dict[str, str] = {
    "US": "United States", "U.S.": "United States", "USA": "United States", "U.S.A.": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "EU": "European Union", "UAE": "United Arab Emirates",
    "KSA": "Saudi Arabia", "DPRK": "North Korea",
}


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    states: dict[str, list[str]] = {}
    for state, names in STATES.items():
        for name in names:
            states.setdefault(name, []).append(state)
    longest_first = sorted(states, key=len, reverse=True)  # "New Delhi" before "Delhi"
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in longest_first) + r")(?!\w)")  # "pro-Moscow" counts
    return pattern, {name: tuple(found) for name, found in states.items()}


def standing_for(text: str) -> list[tuple[str, str]]:
    """Each capital or seat of power in ``text`` with the state it stands for, in order, once per
    state, leaving out a state ``text`` already names ("Moscow and Russia" gives nothing)."""
    pattern, states = _pattern()
    found: list[tuple[str, str]] = []
    for match in pattern.finditer(text):
        for state in states[match.group(1)]:
            if (all(state != seen for _, seen in found)
                    and not re.search(r"(?<!\w)" + re.escape(state) + r"(?!\w)", text)):
                found.append((match.group(1), state))
    return found


def states_named(text: str) -> list[str]:
    """The states that capitals or seats of power in ``text`` stand for, in order, once each,
    leaving out a state ``text`` already names ("Moscow and Russia" adds nothing)."""
    return [state for _, state in standing_for(text)]

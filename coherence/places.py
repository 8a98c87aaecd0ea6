"""Country names and their common aliases, for typed place checks.

Two different countries can never contain one another, so "X's visit to Iran" and "X's visit to
Russia" in one story are a conflict, where "visit to Sochi" and "visit to Russia" may not be (no
gazetteer of cities ships with coherence, so only countries are compared).
"""

from __future__ import annotations

import re

# Runs of capitalised words, "of"/"and" allowed inside ("Bosnia and Herzegovina", "United States of America").
_CAPITALISED_RUN = re.compile(r"[A-Z][\w.'’\-]*(?:\s+(?:(?:of|and)\s+)?[A-Z][\w.'’\-]*)*")

_COUNTRIES = """
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas
bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia botswana brazil brunei bulgaria
burundi cambodia cameroon canada chad chile china colombia comoros congo croatia cuba cyprus czechia
denmark djibouti dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon
gambia georgia germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india
indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait
kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar malawi
malaysia maldives mali malta mauritania mauritius mexico micronesia moldova monaco mongolia montenegro
morocco mozambique myanmar namibia nauru nepal netherlands nicaragua niger nigeria norway oman pakistan
palau palestine panama paraguay peru philippines poland portugal qatar romania russia rwanda samoa
senegal serbia seychelles singapore slovakia slovenia somalia spain sudan suriname sweden switzerland
syria taiwan tajikistan tanzania thailand togo tonga tunisia turkey turkmenistan tuvalu uganda ukraine
uruguay uzbekistan vanuatu venezuela vietnam yemen zambia zimbabwe
""".split()

_MULTI_WORD = {
    "antigua and barbuda": "antigua and barbuda", "bosnia and herzegovina": "bosnia and herzegovina",
    "burkina faso": "burkina faso", "cape verde": "cape verde", "central african republic": "central african republic",
    "costa rica": "costa rica", "czech republic": "czechia", "dominican republic": "dominican republic",
    "east timor": "timor-leste", "el salvador": "el salvador", "equatorial guinea": "equatorial guinea",
    "guinea-bissau": "guinea-bissau", "ivory coast": "ivory coast", "marshall islands": "marshall islands",
    "new zealand": "new zealand", "north korea": "north korea", "north macedonia": "north macedonia",
    "papua new guinea": "papua new guinea", "saudi arabia": "saudi arabia", "sierra leone": "sierra leone",
    "solomon islands": "solomon islands", "south africa": "south africa", "south korea": "south korea",
    "south sudan": "south sudan", "sri lanka": "sri lanka", "united arab emirates": "united arab emirates",
    "vatican city": "vatican", "russian federation": "russia", "united states": "united states",
    "united states of america": "united states", "united kingdom": "united kingdom", "great britain": "united kingdom",
    "republic of korea": "south korea", "islamic republic of iran": "iran", "the netherlands": "netherlands",
}
_ALIASES = {
    "u.s.": "united states", "u.s": "united states", "u.k": "united kingdom", "us": "united states", "usa": "united states", "u.s.a.": "united states",
    "america": "united states", "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom",
    "england": "united kingdom", "scotland": "united kingdom", "wales": "united kingdom", "holland": "netherlands",
    "burma": "myanmar", "persia": "iran", "dprk": "north korea", "uae": "united arab emirates",
    "n. korea": "north korea", "s. korea": "south korea", "korea": "korea",
}
# Demonyms a headline uses for a country the body names ("French suitor" over "a Paris bid from France").
DEMONYMS = {
    "french": "france", "german": "germany", "russian": "russia", "chinese": "china", "japanese": "japan",
    "italian": "italy", "spanish": "spain", "irish": "ireland", "scottish": "united kingdom", "welsh": "united kingdom",
    "english": "united kingdom", "indian": "india", "iranian": "iran", "iraqi": "iraq", "israeli": "israel",
    "dutch": "netherlands", "swiss": "switzerland", "swedish": "sweden", "polish": "poland", "turkish": "turkey",
    "greek": "greece", "canadian": "canada", "australian": "australia", "mexican": "mexico", "brazilian": "brazil",
    "korean": "korea", "afghan": "afghanistan", "pakistani": "pakistan", "syrian": "syria", "ukrainian": "ukraine",
    "egyptian": "egypt", "palestinian": "palestine", "saudi": "saudi arabia", "nigerian": "nigeria",
    "kenyan": "kenya", "belgian": "belgium", "portuguese": "portugal", "norwegian": "norway", "danish": "denmark",
    "finnish": "finland", "austrian": "austria", "venezuelan": "venezuela", "cuban": "cuba", "libyan": "libya",
}
COUNTRIES: dict[str, str] = {**{c: c for c in _COUNTRIES}, **_MULTI_WORD, **_ALIASES}


def country(place: str) -> str | None:
    """The canonical country a place name is, or None (a city, a region, not a place)."""
    key = " ".join(place.lower().strip(" .,;:'’\"").split())
    key = key[4:] if key.startswith("the ") and key not in COUNTRIES else key
    return COUNTRIES.get(key)


def countries_in(text: str) -> set[str]:
    """Every country named in a text, read off its capitalised word runs ("the Russian Federation", "U.S.")."""
    found = set()
    for run in _CAPITALISED_RUN.findall(text):
        words = run.split()
        start = 0
        while start < len(words):  # longest name first, so "Papua New Guinea" is not also "Guinea"
            for size in range(min(len(words) - start, 4), 0, -1):
                name = country(" ".join(words[start : start + size]))
                if name:
                    found.add(name)
                    start += size
                    break
            else:
                start += 1
    return found

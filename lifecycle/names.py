"""Customer names: what may be stored, and the key they are matched on."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

from lifecycle.errors import InvalidCustomerName

MAX_NAME_LENGTH = 80

# Characters that would break Slack formatting around a bold name or look like Slack markup.
_FORBIDDEN = set('*`<>|"“”\\')
_WHITESPACE = re.compile(r"\s+")


def clean_customer_name(raw: str) -> str:
    """Return the name as it will be stored and shown, or raise InvalidCustomerName."""
    name = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", raw)).strip()
    if not name:
        raise InvalidCustomerName("The customer name is empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidCustomerName(f"That name is {len(name)} characters long; names can be at most {MAX_NAME_LENGTH}.")
    bad = sorted({ch for ch in name if ch in _FORBIDDEN or unicodedata.category(ch).startswith("C")})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise InvalidCustomerName(
            f"Customer names can't contain {shown}.",
            hint="Letters, digits, spaces and .,&'-()/+!@# are fine.",
        )
    return name


def name_key(name: str) -> str:
    """The case-insensitive key names are unique on and matched by."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


# Company-form words that don't tell two customers apart ("Acme Corp." is "Acme"), dropped from the end of a name.
LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company llc llp lp ltd limited plc gmbh ag kg ug se sa sas sarl srl spa "  # noqa: SIM905
    "bv nv oy oyj ab as asa aps pty pte kk sl sro".split()
)
_NOT_A_WORD = re.compile(r"[\W_]+")  # any script's letters and digits make words; the rest separates them


@cache
def _lookalikes() -> dict[int, str]:
    """Non-ASCII letters that look like one ASCII letter or digit (Unicode's confusables: Greek Α, Cyrillic с…)."""
    mapping: dict[int, str] = {}
    for character, homoglyphs in confusables.confusables_data.items():
        if len(character) != 1 or character.isascii():
            continue
        for glyph in homoglyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                mapping[ord(character)] = target.lower()
                break
    return mapping


def fold_name(name: str) -> str:
    """The forgiving key names are found by: "Acmé Corp.", "ACME corp" and "Αcme" (Greek Α) all fold to "acme".

    Case, accents, punctuation, emoji and legal suffixes are dropped and look-alike letters read as the ASCII
    letter they imitate. Not unique: two customers may fold alike, so creating one asks first. A name made only
    of what folding drops ("🚀", "Inc") keeps its plain key rather than folding to nothing.
    """
    text = unicodedata.normalize("NFKC", name).translate(_lookalikes())
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_lookalikes())
    words = [word for word in _NOT_A_WORD.split(text) if word]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    folded = " ".join(words)
    return folded or name_key(name)

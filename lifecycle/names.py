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


def fold_words(name: str, *, keep_suffixes: bool = False) -> list[str]:
    """The words of a name as folding sees them (see fold_name); legal suffixes too when asked to keep them."""
    text = unicodedata.normalize("NFKC", name).translate(_lookalikes())
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_lookalikes())
    words = [word for word in _NOT_A_WORD.split(text) if word]
    while not keep_suffixes and len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return words


def fold_name(name: str) -> str:
    """The forgiving key names are found by: "Acmé Corp.", "ACME corp" and "Αcme" (Greek Α) all fold to "acme".

    Case, accents, punctuation, emoji and legal suffixes are dropped and look-alike letters read as the ASCII
    letter they imitate. Not unique: two customers may fold alike, so creating one asks first. A name made only
    of what folding drops ("🚀", "Inc") keeps its plain key rather than folding to nothing.
    """
    return " ".join(fold_words(name)) or name_key(name)


# Letters people (and forgers) write with other ASCII letters or digits: "Acrne" reads as "Acme", "G00gle" as
# "Google". Only inside words that have letters, so "Studio 101" keeps its number.
_ASCII_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("0", "o"))
_ONE_READS_AS = ("l", "i")


def lookalike_keys(name: str) -> set[str]:
    """Fold keys an existing customer may have that this name could be mistaken for (its own fold key included)."""
    keys = {fold_name(name)}
    words = fold_words(name, keep_suffixes=True)
    for one in _ONE_READS_AS:
        changed = []
        for word in words:
            if any(ch.isalpha() for ch in word):
                for written, read in (*_ASCII_LOOKALIKES, ("1", one)):
                    word = word.replace(written, read)
            changed.append(word)
        while len(changed) > 1 and changed[-1] in LEGAL_SUFFIXES:
            changed.pop()
        if changed:
            keys.add(" ".join(changed))
    return keys


# --- Is this text a name someone could mean, or a name plus the first words of a note? ---------------------------
MAX_PLAUSIBLE_WORDS = 5
# Words a note has and a company name hardly ever does: people, and what they did ("called them", "we said").
_NOTE_WORDS = frozenset(
    "i me my we he she him his her they them their you your it's i'm we're they're "  # noqa: SIM905
    "is are was were has have had will would should could can't didn't don't doesn't won't wasn't isn't "
    "called emailed phoned rang texted met talked spoke said told asked sent discussed mentioned wants "
    "wanted needs needed agreed confirmed complained replied followed scheduled signed requested loved hated "
    "liked reported raised promised renewed cancelled canceled churned bought paid upgraded downgraded "
    "today yesterday tomorrow ago".split()
)
# Words a name does not end on: it would go on ("…about the", "…with"), so the line was cut mid-sentence.
_DANGLING = frozenset(
    "the a an about to with for of and & or in on at from by but that this these those our if so as into "  # noqa: SIM905
    "re regarding via than then because".split()
)
# Nor starts on one that only joins ("and…", "with…"); "The Home Depot", "On Running" and "At Home" are names.
_JOINING = frozenset("and & or but because with about regarding re than then".split())  # noqa: SIM905


def plausible_new_name(name: str) -> bool:
    """True when the text could be a customer's name ("Bank of America"), not a name and the start of a note.

    Used to decide whether an unknown, unquoted name earns a "Create" button: `blue called them about the`
    does not. A rule of thumb, never a refusal: `/customer add "…"` creates any storable name.
    """
    words = [word.strip(".,;:!?()").casefold() for word in name.split()]
    words = [word.replace("’", "'") for word in words if word]
    if not words or len(words) > MAX_PLAUSIBLE_WORDS:
        return False
    if any(word in _NOTE_WORDS for word in words):
        return False
    return words[-1] not in _DANGLING and words[0] not in _JOINING

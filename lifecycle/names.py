"""Customer names: what may be stored, and the key they are matched on."""

from __future__ import annotations

import re
import unicodedata

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

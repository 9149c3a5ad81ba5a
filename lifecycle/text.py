"""Limits on free text (notes, feedback, reasons) so nothing oversized is stored or shown."""

from __future__ import annotations

from dataclasses import dataclass

MAX_NOTE_LENGTH = 4000
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class BoundedText:
    """Text cut to a limit; `original_length` tells the user how much was dropped."""

    text: str
    original_length: int

    @property
    def truncated(self) -> bool:
        """True when some of the original text was dropped."""
        return self.original_length > len(self.text)


def bound_text(text: str, limit: int) -> BoundedText:
    """Strip the text and cut it to `limit` characters."""
    stripped = text.strip()
    return BoundedText(text=stripped[:limit].rstrip(), original_length=len(stripped))


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with its noun in the right number: "1 customer", "2 customers", "1,204 pieces of feedback"."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {noun}"


def feedback_count(count: int, adjective: str = "") -> str:
    """Feedback is uncountable in English: "1 piece of negative feedback", "3 pieces of feedback"."""
    words = f"{adjective} feedback".strip()
    return plural(count, f"piece of {words}", f"pieces of {words}")

"""Domain errors whose messages are fit to show to the person who caused them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class LifecycleError(Exception):
    """Base of every error a user can fix; `message` is a complete, friendly sentence."""

    # True when the message holds no user text, only our words and mentions built from user ids.
    markup_safe = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(LifecycleError):
    """The request was malformed: missing arguments, bad quotes, text too long."""

    # The reply adds the command's usage block; False for a one-line answer (a typo with a "did you mean").
    show_usage = True


class RefusedValue(InvalidInput):
    """Input understood but not allowed (a date in the future): the reply says why, without the usage block."""

    show_usage = False


class UnknownStage(InvalidInput):
    """A stage name that is neither a stage nor an alias."""


class UnknownKind(InvalidInput):
    """A touchpoint kind we do not know."""


class UnknownTeam(InvalidInput):
    """A team name that cannot be routed."""


class InvalidCustomerName(InvalidInput):
    """A customer name we cannot store or show safely."""


class InvalidTransition(LifecycleError):
    """A stage change the lifecycle rules do not allow."""


@dataclass(frozen=True)
class CustomerChoice:
    """A customer offered in a 'did you mean' list."""

    id: int
    name: str
    stage: str
    archived: bool = False


class CustomerNotFound(LifecycleError):
    """No customer matches; `suggestions` holds close names, if any."""

    def __init__(self, query: str, suggestions: Sequence[CustomerChoice] = ()) -> None:
        super().__init__(f"I couldn't find a customer called “{query}”.")
        self.query = query
        self.suggestions = list(suggestions)


class AmbiguousCustomer(LifecycleError):
    """Several customers start with the given text."""

    def __init__(self, query: str, candidates: Sequence[CustomerChoice]) -> None:
        super().__init__(f"“{query}” matches more than one customer.")
        self.query = query
        self.candidates = list(candidates)


class DuplicateCustomer(LifecycleError):
    """A customer with that name (ignoring case) already exists."""

    def __init__(self, existing: CustomerChoice) -> None:
        super().__init__(f"There is already a customer called “{existing.name}” (in {existing.stage}).")
        self.existing = existing


class LookalikeCustomer(LifecycleError):
    """A new name that folds to, or could be mistaken for, an existing customer's: asks before creating it."""

    def __init__(self, name: str, existing: CustomerChoice) -> None:
        archived = " (archived)" if existing.archived else ""
        super().__init__(f"“{name}” looks like *{existing.name}*{archived}, which already exists.")
        self.name = name
        self.existing = existing

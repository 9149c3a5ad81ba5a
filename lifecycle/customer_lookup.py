"""Finding customers by what people type: exact names, folded names, aliases, prefixes, close names."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lifecycle.errors import AmbiguousCustomer, CustomerChoice, CustomerNotFound, InvalidInput
from lifecycle.names import fold_name, fold_words, name_key
from storage import repositories as repo
from storage.models import Customer

MAX_CHOICES = 5
# How many names to pull from the database before ranking them for "did you mean".
SUGGESTION_CANDIDATES = 50
SUGGESTION_CUTOFF = 0.6
# A merged duplicate points at the customer it was merged into, which may itself have been merged since.
MAX_MERGE_HOPS = 10

CustomerRef = str | int
"""A customer as the user typed it (name or prefix) or, from a button, its id."""


def choice_of(customer: Customer) -> CustomerChoice:
    """The customer as a button or an option offers it."""
    return CustomerChoice(
        id=customer.id, name=customer.name, stage=customer.stage.value, archived=customer.archived_at is not None
    )


def resolve_customer(
    session: Session, *, workspace_id: str, customer: CustomerRef, for_update: bool = False
) -> Customer:
    """Find one customer by id, name, folded name, alias or unique prefix, else raise (with close names).

    In that order: the exact name (case-insensitive), the folded name ("acme corp." is "Acme Corp"), a merged
    duplicate's name (finds the customer it was merged into), a unique prefix of the name or the folded name
    ("cafe" finds "Café Müller"). Archived customers are found by their exact or folded name only.
    """
    found = _find(session, workspace_id, customer)
    if for_update:
        # Re-read under a row lock so concurrent changes queue up instead of overwriting each other.
        locked = repo.get_customer(session, workspace_id, found.id, for_update=True)
        assert locked is not None
        return locked
    return found


def _find(session: Session, workspace_id: str, customer: CustomerRef) -> Customer:
    if isinstance(customer, int):
        by_id = repo.get_customer(session, workspace_id, customer)
        if by_id is None:
            raise CustomerNotFound(f"#{customer}")
        return kept_customer(session, by_id)
    key = name_key(customer)
    if not key:
        raise InvalidInput("Which customer? The name is empty.")
    exact = repo.get_customer_by_key(session, workspace_id, key)
    if exact is not None:
        return kept_customer(session, exact)
    named = _named_by_fold(session, workspace_id, customer)
    if len(named) == 1:
        return named[0]
    if named:
        raise AmbiguousCustomer(customer, [choice_of(match) for match in named[:MAX_CHOICES]])
    for find_prefix, prefix in (
        (repo.customers_with_prefix, key),
        (repo.customers_with_fold_prefix, fold_name(customer)),
    ):
        matches = find_prefix(session, workspace_id, prefix, limit=MAX_CHOICES + 1)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousCustomer(customer, [choice_of(match) for match in matches[:MAX_CHOICES]])
    raise CustomerNotFound(customer, suggest_customers(session, workspace_id=workspace_id, query=customer))


def _named_by_fold(session: Session, workspace_id: str, typed: str) -> list[Customer]:
    """The customers `typed` names once folded: live ones, else the one a merged duplicate's name leads to,
    else an archived one. Empty when the typed text is only the start of such a name ("acme" of "Acme Corp"),
    so a prefix lookup decides instead and "acme" stays ambiguous between "Acme Corp" and "Acme Labs".
    """
    same = repo.customers_by_fold_key(session, workspace_id, [fold_name(typed)], limit=MAX_CHOICES + 1)
    typed_words = " ".join(fold_words(typed, keep_suffixes=True))
    whole = [
        customer
        for customer in same
        if not _only_starts(typed_words, " ".join(fold_words(customer.name, keep_suffixes=True)))
    ]
    live = [customer for customer in whole if customer.archived_at is None]
    if live:
        return live
    merged = {kept.id: kept for kept in (kept_customer(session, c) for c in whole if c.merged_into_id is not None)}
    if merged:
        return list(merged.values())
    return whole


def _only_starts(typed: str, name: str) -> bool:
    return typed != name and name.startswith(typed)


def kept_customer(session: Session, customer: Customer) -> Customer:
    """The customer a merged duplicate was merged into (following later merges too); others are themselves."""
    for _ in range(MAX_MERGE_HOPS):
        if customer.merged_into_id is None:
            return customer
        kept = repo.get_customer(session, customer.workspace_id, customer.merged_into_id)
        if kept is None:
            return customer
        customer = kept
    return customer


def names_a_customer(session: Session, *, workspace_id: str, name: str) -> bool:
    """True when `name` is a customer's exact or folded name (or a merged duplicate's), not just a prefix."""
    key = name_key(name)
    if not key:
        return False
    return repo.get_customer_by_key(session, workspace_id, key) is not None or bool(
        _named_by_fold(session, workspace_id, name)
    )


def known_reading(session: Session, *, workspace_id: str, names: Sequence[str]) -> int | None:
    """Which of several readings of a line names an existing customer: the longest exact (or folded) name,
    else the longest that is a unique prefix; None when none does.
    """
    by_length = sorted(range(len(names)), key=lambda index: -len(names[index].split()))
    for index in by_length:
        if names_a_customer(session, workspace_id=workspace_id, name=names[index]):
            return index
    for index in by_length:
        if len(_prefix_matches(session, workspace_id, names[index])) == 1:
            return index
    return None


def _prefix_matches(session: Session, workspace_id: str, name: str) -> Sequence[Customer]:
    key = name_key(name)
    if not key:
        return []
    matches = repo.customers_with_prefix(session, workspace_id, key, limit=2)
    return matches or repo.customers_with_fold_prefix(session, workspace_id, fold_name(name), limit=2)


MAX_NAME_WORDS = 6


def split_known_name(session: Session, *, workspace_id: str, line: str) -> tuple[str, str] | None:
    """If the line starts with the full name of a customer of several words, that name and the rest.

    Lets `/feedback Acme Corp hates the new UI` work without quotes: the longest exact (or folded) name wins.
    """
    words = line.split()
    for count in range(min(MAX_NAME_WORDS, len(words) - 1), 1, -1):
        candidate = " ".join(words[:count])
        if names_a_customer(session, workspace_id=workspace_id, name=candidate):
            return candidate, " ".join(words[count:])
    return None


def suggest_customers(session: Session, *, workspace_id: str, query: str) -> list[CustomerChoice]:
    """Live customers with names close to `query` (typos, a missing word, accents), best first."""
    key = fold_name(query)
    candidates = repo.customers_sharing_fragments(
        session, workspace_id, name_fragments(key), limit=SUGGESTION_CANDIDATES
    )
    scored = sorted(
        ((_similarity(key, candidate.fold_key), candidate.fold_key, candidate) for candidate in candidates),
        key=lambda item: (-item[0], item[1]),
    )
    return [
        CustomerChoice(id=candidate.id, name=candidate.name, stage=candidate.stage.value)
        for score, _, candidate in scored[:MAX_CHOICES]
        if score >= SUGGESTION_CUTOFF
    ]


def name_fragments(key: str, *, limit: int = 10) -> list[str]:
    """Short pieces of a name that survive a typo elsewhere in it: trigrams (bigrams for short names)."""
    size = 2 if len(key) <= 5 else 3
    grams = [key[i : i + size] for i in range(len(key) - size + 1)]
    # Letters tell names apart better than digits, spaces or punctuation ("wil" over " 50").
    grams = list(dict.fromkeys(gram for gram in grams if sum(ch.isalpha() for ch in gram) >= size - 1))
    if len(grams) <= limit:
        return grams
    step = len(grams) / limit  # spread over the whole name, so one typo cannot knock out every fragment
    return [grams[int(i * step)] for i in range(limit)]


def _similarity(query: str, key: str) -> float:
    """How alike a typed name and a stored one are: whole name, its start, or any one word."""
    parts = [key, key[: len(query)], *key.split()]
    return max(difflib.SequenceMatcher(None, query, part).ratio() for part in parts)


# --- The customer picker's type-ahead ----------------------------------------------------------------------------
# Close names (typos) for the picker come from one bounded stretch of the folded-name index: the names that share
# the longest start of what was typed that any name has (at least FUZZY_MIN_PREFIX characters), at most
# FUZZY_CANDIDATES of them. A scan of every name (as "did you mean" does) takes about a second at 100k customers,
# too slow for a picker that asks on every keystroke.
FUZZY_MIN_LENGTH = 3
FUZZY_MIN_PREFIX = 2
FUZZY_CANDIDATES = 1000
FUZZY_COMPARED = 25


def search_customers(session: Session, *, workspace_id: str, query: str, limit: int = 50) -> list[CustomerChoice]:
    """Live customers for a picker: folded names starting with what was typed, then names with a later word
    starting with it, then (when neither found any) close names; the latest updated when nothing is typed.
    """
    key = fold_name(query) if query.strip() else ""
    if not key:
        return [choice_of(customer) for customer in repo.recent_live_customers(session, workspace_id, limit=limit)]
    found: dict[int, CustomerChoice] = {}
    for customer in repo.customers_with_fold_prefix(session, workspace_id, key, limit=limit):
        found.setdefault(customer.id, choice_of(customer))
    if len(found) < limit:
        for customer in repo.customers_with_fold_word_prefix(session, workspace_id, key, limit=limit):
            found.setdefault(customer.id, choice_of(customer))
    if not found and len(key) >= FUZZY_MIN_LENGTH:
        for choice in _close_names(session, workspace_id, key):
            found.setdefault(choice.id, choice)
    return list(found.values())[:limit]


def _close_names(session: Session, workspace_id: str, key: str) -> list[CustomerChoice]:
    """Names like `key` past its longest start that some name shares ("brvae falcno": "brave falcon…")."""
    start = _longest_known_start(session, workspace_id, key)
    if start is None:
        return []
    candidates = repo.names_with_fold_prefix(session, workspace_id, start, limit=FUZZY_CANDIDATES)
    # Shared letter pairs pick the few worth the full comparison (difflib on every candidate costs ~50 ms).
    wanted = _pairs(key)
    by_pairs = sorted(
        candidates, key=lambda candidate: (-len(wanted & _pairs(candidate.fold_key[: len(key)])), candidate.fold_key)
    )
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq2(key)  # analysed once, compared with each candidate
    scored: list[tuple[float, str, repo.NameCandidate]] = []
    for candidate in by_pairs[:FUZZY_COMPARED]:
        matcher.set_seq1(candidate.fold_key[: len(key)])
        score = matcher.ratio()
        if score >= SUGGESTION_CUTOFF:
            scored.append((score, candidate.fold_key, candidate))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [
        CustomerChoice(id=candidate.id, name=candidate.name, stage=candidate.stage.value)
        for _, _, candidate in scored[:MAX_CHOICES]
    ]


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _longest_known_start(session: Session, workspace_id: str, key: str) -> str | None:
    """The longest start of `key` that some customer's folded name starts with (binary search on the index)."""
    low, high = FUZZY_MIN_PREFIX - 1, len(key) - 1  # key[:low] is assumed known; key itself is not (no prefix hit)
    if not repo.fold_prefix_exists(session, workspace_id, key[:FUZZY_MIN_PREFIX]):
        return None
    low = FUZZY_MIN_PREFIX
    while low < high:
        middle = (low + high + 1) // 2
        if repo.fold_prefix_exists(session, workspace_id, key[:middle]):
            low = middle
        else:
            high = middle - 1
    return key[:low]

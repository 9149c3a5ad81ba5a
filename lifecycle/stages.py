"""Lifecycle stages, teams, ownership and the rules for moving between stages."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from lifecycle.errors import InvalidTransition, UnknownStage, UnknownTeam


class Stage(StrEnum):
    """A customer's lifecycle stage; the first five are the funnel, in order."""

    REACH = "reach"
    ACQUISITION = "acquisition"
    CONVERSION = "conversion"
    RETENTION = "retention"
    LOYALTY = "loyalty"
    CHURNED = "churned"


FUNNEL: tuple[Stage, ...] = (Stage.REACH, Stage.ACQUISITION, Stage.CONVERSION, Stage.RETENTION, Stage.LOYALTY)

STAGE_ALIASES: Mapping[str, Stage] = {
    "awareness": Stage.REACH,
    "consideration": Stage.ACQUISITION,
    "purchase": Stage.CONVERSION,
    "decision": Stage.CONVERSION,
    "advocacy": Stage.LOYALTY,
    "evangelism": Stage.LOYALTY,
    "advocate": Stage.LOYALTY,
    "advocates": Stage.LOYALTY,
    "onboarding": Stage.CONVERSION,
    "lost": Stage.CHURNED,
    "churn": Stage.CHURNED,
}


class Team(StrEnum):
    """A team whose channel receives alerts; managers own no stage but read digests."""

    SALES = "sales"
    SERVICES = "services"
    SUCCESS = "success"
    MANAGERS = "managers"


TEAM_ALIASES: Mapping[str, Team] = {
    "cs": Team.SUCCESS,
    "customer-success": Team.SUCCESS,
    "onboarding": Team.SERVICES,
}

TEAM_LABELS: Mapping[Team, str] = {
    Team.SALES: "Sales",
    Team.SERVICES: "Services",
    Team.SUCCESS: "Customer success",
    Team.MANAGERS: "Managers",
}

DEFAULT_OWNERSHIP: Mapping[Stage, Team] = {
    Stage.REACH: Team.SALES,
    Stage.ACQUISITION: Team.SALES,
    Stage.CONVERSION: Team.SERVICES,
    Stage.RETENTION: Team.SUCCESS,
    Stage.LOYALTY: Team.SUCCESS,
    Stage.CHURNED: Team.SUCCESS,
}


def stage_names() -> str:
    """The stages as a user-facing list, in funnel order."""
    return ", ".join(stage.value for stage in Stage)


def parse_stage(text: str) -> Stage:
    """Turn a stage name or alias, in any case, into a Stage."""
    key = text.strip().casefold()
    if key in Stage._value2member_map_:
        return Stage(key)
    if key in STAGE_ALIASES:
        return STAGE_ALIASES[key]
    raise UnknownStage(
        f"“{text}” is not a stage.",
        hint=f"Stages: {stage_names()} (aliases: {', '.join(sorted(STAGE_ALIASES))}).",
    )


def looks_like_stage(text: str) -> bool:
    """True when the text names a stage or an alias."""
    key = text.strip().casefold()
    return key in Stage._value2member_map_ or key in STAGE_ALIASES


def parse_team(text: str) -> Team:
    """Turn a team name or alias (`cs`) into a Team."""
    key = text.strip().casefold()
    if key in Team._value2member_map_:
        return Team(key)
    if key in TEAM_ALIASES:
        return TEAM_ALIASES[key]
    raise UnknownTeam(f"“{text}” is not a team.", hint="Teams: sales, services, success (or cs), managers.")


def funnel_position(stage: Stage) -> int | None:
    """Index of the stage in the funnel, or None for churned."""
    return FUNNEL.index(stage) if stage in FUNNEL else None


def is_backward(from_stage: Stage, to_stage: Stage) -> bool:
    """A move to an earlier funnel stage (churn and re-activation are not backward moves)."""
    before, after = funnel_position(from_stage), funnel_position(to_stage)
    return before is not None and after is not None and after < before


def check_transition(
    from_stage: Stage, to_stage: Stage, reason: str | None, *, customer_name: str = "Acme Corp"
) -> None:
    """Raise InvalidTransition unless the lifecycle rules allow this move."""
    if from_stage == to_stage:
        raise InvalidTransition(f"{customer_name} is already in {to_stage}.")
    if is_backward(from_stage, to_stage) and not (reason and reason.strip()):
        raise InvalidTransition(
            f"Moving {customer_name} back from {from_stage} to {to_stage} needs a reason.",
            hint=f'Add it after the stage: `/stage "{customer_name}" {to_stage} Budget frozen until Q3`',
        )


def owning_team(stage: Stage, ownership: Mapping[Stage, Team] = DEFAULT_OWNERSHIP) -> Team:
    """The team that owns customers in this stage."""
    return ownership[stage]


def is_handoff(from_stage: Stage, to_stage: Stage, ownership: Mapping[Stage, Team] = DEFAULT_OWNERSHIP) -> bool:
    """A move whose new stage belongs to a different team than the old one; churn is none (nobody accepts it)."""
    return to_stage != Stage.CHURNED and ownership[from_stage] != ownership[to_stage]

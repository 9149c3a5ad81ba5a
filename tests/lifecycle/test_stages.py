"""Stages, aliases, teams, the transition rules and handoffs (DESIGN.md §2)."""

from __future__ import annotations

import pytest

from lifecycle.errors import InvalidTransition, UnknownStage, UnknownTeam
from lifecycle.stages import (
    DEFAULT_OWNERSHIP,
    FUNNEL,
    Stage,
    Team,
    check_transition,
    is_backward,
    is_handoff,
    looks_like_stage,
    owning_team,
    parse_stage,
    parse_team,
)

FUNNEL_ORDER = ["reach", "acquisition", "conversion", "retention", "loyalty"]
ALIASES = {
    "awareness": Stage.REACH,
    "consideration": Stage.ACQUISITION,
    "purchase": Stage.CONVERSION,
    "decision": Stage.CONVERSION,
    "advocacy": Stage.LOYALTY,
    "evangelism": Stage.LOYALTY,
    "lost": Stage.CHURNED,
}
FORWARD_MOVES = [(a, b) for i, a in enumerate(FUNNEL) for b in FUNNEL[i + 1 :]]
BACKWARD_MOVES = [(b, a) for a, b in FORWARD_MOVES]


# --- parsing -------------------------------------------------------------------------------


def test_the_funnel_runs_from_reach_to_loyalty_in_order() -> None:
    assert [stage.value for stage in FUNNEL] == FUNNEL_ORDER
    assert Stage.CHURNED not in FUNNEL


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_parses_from_its_own_name(stage: Stage) -> None:
    assert parse_stage(stage.value) is stage


@pytest.mark.parametrize(("alias", "stage"), ALIASES.items())
def test_every_alias_parses_to_its_stage(alias: str, stage: Stage) -> None:
    assert parse_stage(alias) is stage
    assert looks_like_stage(alias)


@pytest.mark.parametrize("typed", ["CONVERSION", "Conversion", "cOnVeRsIoN", "  conversion  "])
def test_stage_names_are_case_insensitive_and_forgive_spaces(typed: str) -> None:
    assert parse_stage(typed) is Stage.CONVERSION


@pytest.mark.parametrize(
    ("typed", "stage"), [("LOST", Stage.CHURNED), ("Evangelism", Stage.LOYALTY), ("AWARENESS", Stage.REACH)]
)
def test_aliases_are_case_insensitive_too(typed: str, stage: Stage) -> None:
    assert parse_stage(typed) is stage


def test_an_unknown_stage_names_every_valid_stage_and_alias() -> None:
    with pytest.raises(UnknownStage) as caught:
        parse_stage("limbo")
    error = caught.value
    assert "limbo" in error.message
    assert error.hint is not None
    for name in [*FUNNEL_ORDER, "churned", *ALIASES]:
        assert name in error.hint


@pytest.mark.parametrize("typed", ["", "reac", "reachh", "funnel", "at-risk"])
def test_words_that_are_not_stages_do_not_look_like_stages(typed: str) -> None:
    assert not looks_like_stage(typed)
    with pytest.raises(UnknownStage):
        parse_stage(typed)


# --- transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), FORWARD_MOVES)
def test_forward_moves_of_one_or_more_stages_need_no_reason(before: Stage, after: Stage) -> None:
    check_transition(before, after, None)
    assert not is_backward(before, after)


def test_skipping_straight_from_reach_to_loyalty_is_allowed() -> None:
    check_transition(Stage.REACH, Stage.LOYALTY, "")


@pytest.mark.parametrize(("before", "after"), BACKWARD_MOVES)
def test_backward_move_needs_a_reason(before: Stage, after: Stage) -> None:
    assert is_backward(before, after)
    with pytest.raises(InvalidTransition) as caught:
        check_transition(before, after, None)
    assert "reason" in caught.value.message
    assert before.value in caught.value.message and after.value in caught.value.message


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_blank_reason_does_not_count_as_a_reason(blank: str) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(Stage.RETENTION, Stage.ACQUISITION, blank)


def test_backward_move_with_a_reason_is_allowed() -> None:
    check_transition(Stage.RETENTION, Stage.ACQUISITION, "Renewal stalled, back to talks with Wayne")


@pytest.mark.parametrize("before", [stage for stage in Stage if stage is not Stage.CHURNED])
def test_churned_is_reachable_from_every_stage_without_a_reason(before: Stage) -> None:
    check_transition(before, Stage.CHURNED, None)
    assert not is_backward(before, Stage.CHURNED)


@pytest.mark.parametrize("after", FUNNEL)
def test_a_churned_customer_can_be_reactivated_to_any_stage(after: Stage) -> None:
    check_transition(Stage.CHURNED, after, None)
    assert not is_backward(Stage.CHURNED, after)


@pytest.mark.parametrize("stage", list(Stage))
def test_moving_to_the_stage_the_customer_is_already_in_is_rejected(stage: Stage) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(stage, stage, "because Gringotts asked twice")
    assert "already" in caught.value.message
    assert stage.value in caught.value.message


# --- ownership and handoffs ----------------------------------------------------------------


def test_default_ownership_follows_the_spec() -> None:
    assert {stage: owning_team(stage) for stage in Stage} == {
        Stage.REACH: Team.SALES,
        Stage.ACQUISITION: Team.SALES,
        Stage.CONVERSION: Team.SERVICES,
        Stage.RETENTION: Team.SUCCESS,
        Stage.LOYALTY: Team.SUCCESS,
        Stage.CHURNED: Team.SUCCESS,
    }
    assert Team.MANAGERS not in DEFAULT_OWNERSHIP.values()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Stage.ACQUISITION, Stage.CONVERSION),  # sales -> services
        (Stage.CONVERSION, Stage.RETENTION),  # services -> success
        (Stage.REACH, Stage.LOYALTY),  # sales -> success, skipping services
        (Stage.CHURNED, Stage.ACQUISITION),  # success -> sales (re-activation)
        (Stage.RETENTION, Stage.CONVERSION),  # success -> services (backward)
    ],
)
def test_a_move_into_another_teams_stage_is_a_handoff(before: Stage, after: Stage) -> None:
    assert is_handoff(before, after)


@pytest.mark.parametrize("before", [stage for stage in Stage if stage != Stage.CHURNED])
def test_churn_is_never_a_handoff_nobody_accepts_a_lost_customer(before: Stage) -> None:
    assert not is_handoff(before, Stage.CHURNED)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Stage.REACH, Stage.ACQUISITION),
        (Stage.ACQUISITION, Stage.REACH),
        (Stage.RETENTION, Stage.LOYALTY),
        (Stage.LOYALTY, Stage.CHURNED),
        (Stage.CHURNED, Stage.RETENTION),
    ],
)
def test_a_move_within_one_teams_stages_is_not_a_handoff(before: Stage, after: Stage) -> None:
    assert not is_handoff(before, after)


def test_handoffs_follow_a_workspaces_own_ownership() -> None:
    sales_to_the_end = {stage: Team.SALES for stage in Stage} | {Stage.CHURNED: Team.SUCCESS}
    assert not is_handoff(Stage.ACQUISITION, Stage.CONVERSION, sales_to_the_end)
    assert is_handoff(Stage.LOYALTY, Stage.ACQUISITION, {**sales_to_the_end, Stage.LOYALTY: Team.SUCCESS})
    assert owning_team(Stage.CONVERSION, sales_to_the_end) is Team.SALES


# --- teams ---------------------------------------------------------------------------------


@pytest.mark.parametrize("team", list(Team))
def test_every_team_parses_from_its_own_name(team: Team) -> None:
    assert parse_team(team.value) is team


@pytest.mark.parametrize("typed", ["cs", "CS", " Cs ", "success", "Success"])
def test_cs_means_customer_success(typed: str) -> None:
    assert parse_team(typed) is Team.SUCCESS


def test_an_unknown_team_lists_the_teams() -> None:
    with pytest.raises(UnknownTeam) as caught:
        parse_team("pirates")
    assert "pirates" in caught.value.message
    assert caught.value.hint is not None
    for name in ["sales", "services", "success", "cs", "managers"]:
        assert name in caught.value.hint

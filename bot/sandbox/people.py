"""Who and where the sandbox workspace has: one team, four people, five channels and a DM with the bot."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0SANDBOX"
TEAM_DOMAIN = "sandbox"
BOT_USER_ID = "U0LCBOT"
BOT_ID = "B0LCBOT"


@dataclass(frozen=True)
class Person:
    """A sandbox user; the page's user switcher lists them."""

    user_id: str
    name: str
    real_name: str
    role: str  # shown in the switcher
    is_admin: bool = False


@dataclass(frozen=True)
class Channel:
    """A sandbox channel."""

    channel_id: str
    name: str
    purpose: str


PEOPLE: tuple[Person, ...] = (
    Person("U0SALES", "sam", "Sam Sales", "Sales rep"),
    Person("U0SERVICES", "sofia", "Sofia Services", "Services (onboarding)"),
    Person("U0SUCCESS", "carla", "Carla Success", "Customer success"),
    Person("U0MANAGER", "maya", "Maya Manager", "Manager and workspace admin", is_admin=True),
)

CHANNELS: tuple[Channel, ...] = (
    Channel("C0GENERAL", "general", "Everyone"),
    Channel("C0SALES", "sales", "Sales: reach and acquisition"),
    Channel("C0SERVICES", "services", "Services: onboarding (conversion)"),
    Channel("C0SUCCESS", "success", "Customer success: retention and loyalty"),
    Channel("C0MANAGERS", "managers", "Managers: escalations and digests"),
)

# Which channel each team's alerts go to (lifecycle.stages.Team values).
TEAM_CHANNELS = {
    "sales": "C0SALES",
    "services": "C0SERVICES",
    "success": "C0SUCCESS",
    "managers": "C0MANAGERS",
}

SALES, SERVICES, SUCCESS, MANAGER = (person.user_id for person in PEOPLE)

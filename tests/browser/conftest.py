"""Fixtures for the end-to-end browser journeys: one Chromium per session, one context per test.

The pages are served by pytest-django's `live_server` (a transactional database), so the
reference configuration that data migrations load (RAG ratings, levels of need, urgent
criteria, office hours, letter templates) is flushed after the first test: `mash_users`
loads it again whenever it is missing.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; the ORM calls the tests
# make to arrange data would otherwise raise SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "test-password-123"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The usernames build_users() gives each role.
USERNAMES = {
    "officer": "officer",
    "decision_maker": "decider",
    "manager": "manager",
    "second_manager": "manager2",
    "police": "police",
    "health": "health",
    "education": "education",
    "probation": "probation",
    "receiving": "receiving",
    "dpo": "dpo",
    "administrator": "admin",
    "service_manager": "servicemgr",
    "strategic_manager": "strategic",
    "assistant_director": "director",
    "early_help": "earlyhelp",
}

DEFAULT_TIMEOUT_MS = 10_000


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`) to run the browser tests")
    if not AXE_PATH.is_file():
        pytest.skip(f"{AXE_PATH} is missing: run `npm ci` (`make assets`) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    ctx = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="en-GB", timezone_id="Europe/London")
    ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    new_page = context.new_page()
    yield new_page
    if request.node.stash.get(_CALL_FAILED, False) and not new_page.is_closed():
        # Leave what the browser showed next to the failure, for whoever reads the report.
        new_page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        (tmp_path / "failure.html").write_text(new_page.content())
        print(f"Browser state at the failure: {tmp_path / 'failure.png'} and failure.html")


# --------------------------------------------------------------------------- data


def _load_reference_configuration() -> None:
    """Re-run the data migrations' loaders (they only use apps.get_model and get_or_create)."""
    from django.apps import apps

    from mash.decisions.models import LetterTemplate
    from mash.partnership.models import LawfulBasis, RagRating

    if RagRating.objects.count() == 0:
        importlib.import_module("mash.partnership.migrations.0002_default_configuration").load(apps, None)
    if LawfulBasis.objects.count() == 0:
        importlib.import_module("mash.partnership.migrations.0005_default_lawful_bases").add_bases(apps, None)
    if LetterTemplate.objects.count() == 0:
        for module in sorted(p.stem for p in (REPO_ROOT / "mash/decisions/migrations").glob("0*.py")):
            loader = getattr(importlib.import_module(f"mash.decisions.migrations.{module}"), "load", None)
            if loader is not None:
                loader(apps, None)
    from mash.partnership.models import DisputeLevel

    if DisputeLevel.objects.count() == 0:
        importlib.import_module("mash.partnership.migrations.0007_default_outcomes_configuration").load(apps, None)
    from mash.oversight.models import PracticeStandard

    if PracticeStandard.objects.count() == 0:
        for module in sorted(p.stem for p in (REPO_ROOT / "mash/oversight/migrations").glob("0*.py")):
            loader = getattr(importlib.import_module(f"mash.oversight.migrations.{module}"), "load", None)
            if loader is not None:
                loader(apps, None)


@pytest.fixture
def mash_users(transactional_db: None) -> Any:
    """The demo partnership and one user per role, all with the password PASSWORD."""
    from mash.demo.builders import build_partnership, build_users

    _load_reference_configuration()
    build_partnership()
    return build_users(password=PASSWORD)


def record_contact_via_services(users: Any, *, forenames: str, surname: str, referrer_name: str = "Jo Referrer") -> Any:
    """A telephone contact with one subject child, linked to a new person record (status: recorded)."""
    from django.utils import timezone

    from mash.intake import services

    now = timezone.now().replace(second=0, microsecond=0)
    contact = services.record_contact(
        users.officer,
        {
            "channel": "telephone",
            "contact_type": "new_concern",
            "received_at": now - timedelta(minutes=30),
            "referrer_source": "2A",
            "referrer_name": referrer_name,
            "referrer_role": "Designated safeguarding lead",
            "referrer_phone": "01632 960999",
            "concern_details": "Bruising seen on the child's arm during PE.",
            "impact_on_child": "Withdrawn and tired in class.",
            "child_whereabouts": "At school until 15:30.",
            "safety_scale": 4,
            "parents_aware": "no",
            "consent": "not_sought",
            "consent_not_sought_reason": "increase_risk",
        },
        {"forenames": forenames, "surname": surname, "date_of_birth": date(2016, 5, 14), "sex": "U", "postcode": "DM1 1AA"},
        [],
    )
    for cp in contact.people.all():
        services.link_to_new_person(users.officer, cp)
    contact.refresh_from_db()
    return contact


def signed_off_contact_via_services(users: Any, *, forenames: str, surname: str) -> tuple[Any, Any]:
    """Recorded, triaged, recommended and signed off; returns (contact, outcome letter)."""
    from mash.decisions import services as decisions
    from mash.domain.workflow import ContactEvent
    from mash.intake.workflow import apply_event
    from mash.partnership.models import LevelOfNeed, RagRating, Team
    from mash.triage import services as triage

    contact = record_contact_via_services(users, forenames=forenames, surname=surname)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage.triage(
        contact,
        users.decision_maker,
        level=LevelOfNeed.objects.get(level=3),
        rag=RagRating.objects.get(code="AMBER"),
        reason="Unexplained bruising.",
    )
    decisions.recommend(
        contact,
        users.decision_maker,
        analysis="Pattern of injury needs assessment.",
        outcome="s17_assessment",
        rationale="Needs are complex; parents not yet spoken to.",
        receiving_team=Team.objects.get(name="First Response Team North"),
    )
    decisions.sign_off(contact, users.manager, comment="Agreed.")
    contact.refresh_from_db()
    return contact, contact.letters.get(recipient="referrer")


# --------------------------------------------------------------------------- page helpers


def sign_in(page: Any, role: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(USERNAMES[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/sign-in/**")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        AXE_TAGS,
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(str(t) for t in node.get("target", [])) for node in violation.get("nodes", [])]
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation.get('help')} -> {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found accessibility violations on {what} ({page.url}):\n{describe_violations(violations)}"

"""What leaves the MASH (the receiving team's pack and its exports) and the sharing log pages.

A full Stage 2 is built through the services: the police answer with one sensitive item and
one unverified item, the unverified item is redacted, a section 17 assessment to First
Response Team North is signed off. The receiving team must then see the redacted text and a
notice that sensitive information exists, and never the sensitive or the redacted words.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zlib
from datetime import date

import pytest
from django.urls import reverse

from mash.accounts.models import Role, User
from mash.audit.models import AuditEvent
from mash.decisions import services as decisions
from mash.partnership.models import Agency, LawfulBasis, Team
from mash.sharing import services
from mash.sharing.exports import transfer_pack_pdf
from mash.sharing.models import SharingLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

SENSITIVE_MARKER = "SENSITIVE-MARKER-123"
REDACT_MARKER = "REDACTME-456"
UNVERIFIED_TEXT = f"A neighbour says {REDACT_MARKER} shouts at the children most evenings."
REDACTED_TEXT = "A neighbour says [redacted] shouts at the children most evenings."
FACT_TEXT = "Police attended a domestic incident at the address on 2 February. VISIBLE-FACT-789"
WITHHELD_MARKER = "WITHHELD-MARKER-321"
HOLDER = "DS Amy Clarke, Public Protection Unit, 01632 960777"
NORTH = "First Response Team North"
CHILDRENS_SERVICES = "Demoshire Children's Services"


@pytest.fixture
def receiving(users):
    return User.objects.create_user(
        username="north-sw",
        password="test-password-123",
        first_name="Sofia",
        last_name="North",
        role=Role.RECEIVING_PRACTITIONER,
        team=Team.objects.get(name=NORTH),
        agency=Agency.objects.get(name=CHILDRENS_SERVICES),
    )


@pytest.fixture
def other_team_practitioner(users):
    return User.objects.create_user(
        username="south-sw",
        password="test-password-123",
        role=Role.RECEIVING_PRACTITIONER,
        team=Team.objects.get(name="First Response Team South"),
        agency=Agency.objects.get(name=CHILDRENS_SERVICES),
    )


@pytest.fixture
def dpo(users):
    return User.objects.create_user(
        username="dpo-test",
        password="test-password-123",
        role=Role.DATA_PROTECTION_OFFICER,
        agency=Agency.objects.get(name=CHILDRENS_SERVICES),
    )


@pytest.fixture
def transferred(users):
    """A contact whose Stage 2 went through police, redaction and sign-off to First Response Team North."""
    contact = factories.triaged(users, consent="given")
    police = users.police.agency
    basis = LawfulBasis.objects.filter(is_active=True).first()
    [info_request] = services.send_requests(
        contact,
        users.decision_maker,
        specs=[services.RequestSpec(police, "What do you hold about the household?")],
        concern_summary="Bruising to a child's arm; disclosure about mother's partner.",
        bases=[basis],
    )
    services.save_response(
        info_request,
        users.police,
        items=[
            services.ItemInput(text=FACT_TEXT, kind="fact", source="Incident log 4411", recorded_on=date(2026, 2, 2)),
            services.ItemInput(
                text=f"Live operation concerning the partner. {SENSITIVE_MARKER}",
                kind="fact",
                is_sensitive=True,
                sensitive_holder=HOLDER,
            ),
            services.ItemInput(text=UNVERIFIED_TEXT, kind="unverified", source="Neighbour, by telephone"),
            services.ItemInput(text=f"Unrelated historic note. {WITHHELD_MARKER}", kind="opinion"),
        ],
        analysis="Pattern of domestic abuse in the household; the child is likely to be affected.",
        recommendation="Single assessment with police liaison.",
        submit=True,
    )
    unverified = info_request.response.items.get(kind="unverified")
    services.redact_item(unverified, users.police, redacted=REDACTED_TEXT, reason="Identifies a third party.")
    irrelevant = info_request.response.items.get(kind="opinion")
    services.withhold_item(irrelevant, users.police, reason="Not relevant to this child.")
    decisions.recommend(
        contact,
        users.decision_maker,
        analysis="Injury with disclosure and a pattern of domestic abuse.",
        outcome="s17_assessment",
        rationale="Threshold for a child in need assessment met.",
        receiving_team=Team.objects.get(name=NORTH),
    )
    decisions.sign_off(contact, users.manager, comment="Agreed.")
    contact.refresh_from_db()
    return contact


def _pdf_content(pdf: bytes) -> bytes:
    """The page content streams of a PDF, inflated (pypdf is not a dependency; reportlab uses
    ASCII85 + Flate), joined with the raw bytes, so text can be searched for."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        body = match.group(1).strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2], ignorechars=b" \t\n\r\x0b")
            parts.append(zlib.decompress(body))
        except (ValueError, zlib.error):
            parts.append(body)
    return b"\n".join(parts)


# --------------------------------------------------------------------------- the receiving team


def test_receiving_team_sees_the_pack_without_sensitive_or_redacted_words(client, receiving, transferred):
    client.force_login(receiving)
    response = client.get(reverse("sharing:transfer", args=[transferred.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert REDACTED_TEXT in html
    assert "VISIBLE-FACT-789" in html
    assert f"Sensitive information is held by Demoshire Constabulary. It does not leave the MASH. Ask: {HOLDER}" in " ".join(
        html.split()
    )
    assert SENSITIVE_MARKER not in html
    assert REDACT_MARKER not in html
    assert WITHHELD_MARKER not in html
    assert "Live operation" not in html
    assert "1 further item from Demoshire Constabulary was kept inside the MASH." in html
    # the essentials that travel with the referral
    assert factories.CONCERN_TEXT.split(";")[0] in html
    assert "IMPACT-MARKER" in html and "VOICE-MARKER" in html
    assert "Section 17 child in need assessment" in html
    assert reverse("sharing:transfer-pdf", args=[transferred.pk]) in html
    assert reverse("sharing:transfer-json", args=[transferred.pk]) in html
    assert AuditEvent.objects.filter(action="transfer.viewed", actor_id=receiving.pk, object_id=str(transferred.pk)).exists()


def test_json_export_holds_no_sensitive_or_redacted_words(client, receiving, transferred):
    client.force_login(receiving)
    response = client.get(reverse("sharing:transfer-json", args=[transferred.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    raw = response.content.decode()
    assert SENSITIVE_MARKER not in raw
    assert REDACT_MARKER not in raw
    assert WITHHELD_MARKER not in raw
    data = json.loads(raw)
    [police] = data["agencies"]
    assert police["sensitive_information_held"] is True
    assert police["ask_about_sensitive_information"] == [HOLDER]
    assert REDACTED_TEXT in [item["text"] for item in police["items"]]
    assert AuditEvent.objects.filter(action="transfer.viewed", summary__contains="JSON export").exists()


def test_pdf_export_holds_no_sensitive_or_redacted_words(client, receiving, transferred):
    client.force_login(receiving)
    response = client.get(reverse("sharing:transfer-pdf", args=[transferred.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="transfer.viewed", summary__contains="PDF export").exists()
    served = _pdf_content(response.content)
    # The same builder with compression off, so the text can be read in the raw bytes as written.
    uncompressed = transfer_pack_pdf(services.outbound_pack(transferred), compress=False)
    for raw in (served, uncompressed):
        assert b"VISIBLE-FACT-789" in raw
        assert b"[redacted] shouts at the children" in raw
        assert b"Sensitive information is held by" in raw
        assert SENSITIVE_MARKER.encode() not in raw
        assert REDACT_MARKER.encode() not in raw
        assert WITHHELD_MARKER.encode() not in raw
        assert b"Live operation" not in raw


def test_transfer_list_shows_the_teams_transfers(client, receiving, transferred):
    client.force_login(receiving)
    response = client.get(reverse("sharing:transfers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert transferred.reference in html
    assert "Amelia Testcase" in html
    assert "Section 17 child in need assessment" in html
    assert 'aria-current="page">Transfers<' in html
    assert AuditEvent.objects.filter(
        action="transfer.listed", actor_id=receiving.pk, summary__contains=transferred.reference
    ).exists()


def test_another_teams_practitioner_gets_404(client, other_team_practitioner, transferred):
    client.force_login(other_team_practitioner)
    for name in ("sharing:transfer", "sharing:transfer-pdf", "sharing:transfer-json"):
        assert client.get(reverse(name, args=[transferred.pk])).status_code == 404
    response = client.get(reverse("sharing:transfers"))
    assert response.status_code == 200
    assert transferred.reference not in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "decision_maker", "manager", "police"])
def test_mash_and_partner_users_may_not_use_transfers(client, users, transferred, role):
    client.force_login(getattr(users, role))
    assert client.get(reverse("sharing:transfers")).status_code == 403
    assert client.get(reverse("sharing:transfer", args=[transferred.pk])).status_code == 403


def test_dpo_may_not_use_transfers(client, dpo, transferred):
    client.force_login(dpo)
    assert client.get(reverse("sharing:transfers")).status_code == 403


# --------------------------------------------------------------------------- the sharing log


def test_dpo_searches_the_log_but_never_opens_the_record(client, dpo, transferred):
    client.force_login(dpo)
    response = client.get(reverse("sharing:log-search"), {"reference": transferred.reference})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shared with the receiving team" in html
    assert reverse("sharing:log", args=[transferred.pk]) in html
    assert SENSITIVE_MARKER not in html and REDACT_MARKER not in html
    assert AuditEvent.objects.filter(action="sharing_log.searched", actor_id=dpo.pk).exists()
    assert 'aria-current="page">Sharing log<' in html
    assert client.get(reverse("sharing:log", args=[transferred.pk])).status_code == 200
    assert client.get(reverse("intake:detail", args=[transferred.pk])).status_code == 404


def test_team_manager_can_search_the_log(client, users, transferred):
    client.force_login(users.manager)
    assert client.get(reverse("sharing:log-search")).status_code == 200
    assert AuditEvent.objects.filter(action="sharing_log.searched", actor_id=users.manager.pk).exists()


@pytest.mark.parametrize("role", ["police", "officer", "decision_maker"])
def test_others_may_not_search_the_log(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(reverse("sharing:log-search")).status_code == 403


def test_partner_and_receiving_team_get_404_on_a_contacts_log(client, users, receiving, transferred):
    for user in (users.police, receiving):
        client.force_login(user)
        assert client.get(reverse("sharing:log", args=[transferred.pk])).status_code == 404


def test_contact_log_shows_the_decision_not_to_share_the_sensitive_item(client, users, transferred):
    client.force_login(users.decision_maker)
    response = client.get(reverse("sharing:log", args=[transferred.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Decision not to share" in html
    assert "Kept inside the MASH" in html
    assert "(1 sensitive, 1 withheld)" in html
    assert SENSITIVE_MARKER not in html
    assert reverse("intake:detail", args=[transferred.pk]) in html
    kept = SharingLogEntry.objects.get(contact=transferred, kind=SharingLogEntry.Kind.KEPT_IN_MASH, to_party=NORTH)
    assert kept.shared is False
    assert AuditEvent.objects.filter(action="sharing_log.viewed", object_id=str(transferred.pk)).exists()


def test_search_filters_by_kind_and_shared(client, dpo, transferred):
    client.force_login(dpo)
    response = client.get(reverse("sharing:log-search"), {"kind": "kept_in_mash", "shared": "no"})
    html = response.content.decode()
    assert "Kept inside the MASH" in html
    assert "Shared with the MASH</span>" not in html
    response = client.get(reverse("sharing:log-search"), {"kind": "shared_onward", "shared": "no"})
    assert "No entries match the search." in response.content.decode()


def test_invalid_dates_are_explained_and_kept(client, dpo, transferred):
    client.force_login(dpo)
    searches_before = AuditEvent.objects.filter(action="sharing_log.searched").count()
    response = client.get(
        reverse("sharing:log-search"),
        {"since_day": "31", "since_month": "2", "since_year": "2026", "until_day": "x", "until_month": "3", "until_year": "2026"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The from date must be a real date." in html
    assert "The to date must be written in numbers" in html
    assert 'value="31"' in html and 'value="x"' in html
    assert "govuk-error-summary" in html
    assert AuditEvent.objects.filter(action="sharing_log.searched").count() == searches_before


def test_to_date_before_from_date_is_refused(client, dpo, transferred):
    client.force_login(dpo)
    response = client.get(
        reverse("sharing:log-search"),
        {"since_day": "10", "since_month": "3", "since_year": "2026", "until_day": "1", "until_month": "3", "until_year": "2026"},
    )
    assert "The to date must be the same as or after the from date." in response.content.decode()


def test_csv_download_of_a_search_is_audited(client, dpo, transferred):
    client.force_login(dpo)
    response = client.get(reverse("sharing:log-search"), {"reference": transferred.reference, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "When"
    assert len(rows) - 1 == SharingLogEntry.objects.filter(contact=transferred).count()
    assert all(row[1] == transferred.reference for row in rows[1:])
    assert SENSITIVE_MARKER not in body and REDACT_MARKER not in body
    assert AuditEvent.objects.filter(action="sharing_log.exported", actor_id=dpo.pk).exists()
    assert AuditEvent.objects.filter(action="sharing_log.searched", actor_id=dpo.pk).exists()


def test_navigation_per_role(client, users, receiving, dpo):
    client.force_login(receiving)
    html = client.get(reverse("sharing:transfers")).content.decode()
    assert reverse("sharing:transfers") in html and reverse("sharing:log-search") not in html
    client.force_login(dpo)
    html = client.get(reverse("sharing:log-search")).content.decode()
    assert reverse("sharing:log-search") in html and reverse("sharing:transfers") not in html
    client.force_login(users.manager)
    html = client.get(reverse("sharing:log-search")).content.decode()
    assert reverse("sharing:log-search") in html and reverse("intake:list") in html
    assert reverse("sharing:agency-home") not in html
    client.force_login(users.police)
    html = client.get(reverse("workqueue:home")).content.decode()
    assert reverse("sharing:agency-home") in html
    assert reverse("sharing:transfers") not in html and reverse("sharing:log-search") not in html

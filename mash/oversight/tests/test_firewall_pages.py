"""Oversight pages never show agency information: a crawl of every oversight page as every demo user.

(The project-wide crawl in tests/test_firewall.py covers every route; this one needs no more than
the oversight app and says exactly which oversight page leaked what.)
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from mash.oversight import services
from mash.oversight.models import AuditSample
from tests import stage2

ALL_USERS = ["officer", "decision_maker", "manager", "second_manager", "police", "health", "education", "administrator",
             "probation", "receiving", "dpo", "service_manager", "strategic_manager", "assistant_director"]


@pytest.fixture
def scenario(users):
    from mash.decisions.services import sign_off

    s = stage2.build_stage2(users, through="recommended")
    contact = s.contact
    contact.refresh_from_db()
    sign_off(contact, users.second_manager, comment="Agreed.")
    services.record_assessment_result(contact, users.receiving, result="nfa", completed_on=timezone.localdate(), summary="Closed.")
    month = timezone.localdate().replace(day=1)
    services.draw_month(month)
    samples = list(AuditSample.objects.filter(contact=contact))
    assert {s.stream for s in samples} >= {"per_worker", "assessment_nfa"}
    for sample in samples:
        auditor = users.manager if sample.stream == "per_worker" else users.service_manager
        services.complete_audit(sample, auditor, grade="good", findings="Findings.", learning="Learning.")
    return s, month, samples


@pytest.mark.parametrize("who", ALL_USERS)
def test_no_agency_information_on_any_oversight_page(users, client, scenario, who):
    s, month, samples = scenario
    contact = s.contact
    urls = [
        f"/contacts/{contact.pk}/practice-standards/",
        f"/contacts/{contact.pk}/management-note/",
        f"/transfers/{contact.pk}/assessment-result/",
        f"/oversight/audits/?month={month:%Y-%m}",
        *(f"/oversight/audits/{sample.pk}/" for sample in samples),
    ]
    never = {**s.markers.never_leaving(), **s.markers.travelling()}
    client.force_login(getattr(users, who))
    for url in urls:
        body = client.get(url).content.decode()
        shown = [name for name, marker in never.items() if marker in body]
        assert not shown, f"{url} shows {shown} to {who}"


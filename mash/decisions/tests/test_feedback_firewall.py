"""Letters to the referrer and the family never carry agency information or the concern (the firewall).

A Stage 2 answer holds a sensitive item and an ordinary one; an administrator even edits every
letter template to ask for the concern and the items. Neither letter, its PDF nor its page shows them.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.urls import reverse

from mash.decisions import services
from mash.decisions.models import LetterTemplate
from tests import factories, stage2

pytestmark = pytest.mark.django_db

SENSITIVE = "MARKER-TEXT-SENSITIVE-7731"
ORDINARY = "MARKER-TEXT-ORDINARY-5520"
NOTE = "MARKER-TEXT-ANALYSIS-9043"
NOSY = (
    "[{{ contact.concern_details }}][{{ concern_details }}][{{ impact_on_child }}][{{ child_voice }}][{{ item }}][{{ items }}]"
    "[{{ response }}][{{ contact.people.all }}][{{ decision.analysis }}][{{ analysis }}][{{ referrer_name }}][{{ referrer_agency }}]"
    "[{{ contact }}][{{ user }}][{{ request }}][{{ settings.SECRET_KEY }}]"
)
SECRETS = (
    SENSITIVE, ORDINARY, NOTE, factories.CONCERN_TEXT, "SECRET-CONCERN-MARKER", "IMPACT-MARKER", "VOICE-MARKER", "Otherman",
    "DS Kate Whitfield",
)


def pdf_text(raw: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(raw))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text + "\n" + " ".join(str(v) for v in (reader.metadata or {}).values())


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("nosy_admin", [False, True])
def test_letters_pdfs_and_pages_never_show_agency_information(client, users, nosy_admin):
    if nosy_admin:
        for template in LetterTemplate.objects.all():
            template.body = template.body + "\n\n" + NOSY
            template.subject = template.subject + " {{ contact.concern_details }}{{ decision.rationale }}"
            template.save()

    contact = stage2.triaged_contact(users)
    (police,) = stage2.send(users, contact, ["police"])
    stage2.answer(
        police, users.police,
        [stage2.item(f"{SENSITIVE} The boyfriend is the subject of a live operation.", sensitive=True), stage2.item(f"{ORDINARY} Incident log.")],
        analysis=f"{NOTE} What this means for the child.",
    )
    contact.refresh_from_db()
    services.recommend(
        contact, users.decision_maker, analysis=f"{NOTE} analysis", outcome="s17_assessment", rationale=f"{NOTE} rationale",
        receiving_team=stage2.team(),
    )
    contact.refresh_from_db()
    services.sign_off(contact, users.manager, comment=f"{NOTE} agreed")
    contact.refresh_from_db()

    letters = list(contact.letters.all())
    assert sorted(letter.recipient for letter in letters) == ["family", "referrer"]
    client.force_login(users.decision_maker)  # a decision maker may see the sensitive item: the page must still not show it
    for letter in letters:
        pdf = pdf_text(services.letter_pdf(letter))
        assert contact.subject_child.surname in pdf  # the PDF text is really read
        page = client.get(reverse("decisions:letter", args=[contact.pk, letter.pk])).content.decode()
        download = client.get(reverse("decisions:letter-pdf", args=[contact.pk, letter.pk]))
        downloaded = pdf_text(download.content)
        for secret in SECRETS:
            for where, text in (("body", letter.body), ("subject", letter.subject), ("pdf", pdf), ("page", page), ("download", downloaded)):
                assert secret not in text and squash(secret) not in squash(text), f"{secret!r} in the {letter.recipient} letter's {where}"
        if nosy_admin:
            assert "[][][][][][][][][][][" in letter.body  # every nosy field rendered as nothing
    family = contact.letters.get(recipient="family")
    assert "Joan Referrer" not in family.body and "Demotown Primary School" not in family.body
    if nosy_admin:
        assert "[Joan Referrer]" in contact.letters.get(recipient="referrer").body  # the referrer's own name is shareable with them
        assert "[][]" in family.body and "Joan" not in family.body

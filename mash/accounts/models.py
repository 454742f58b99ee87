from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MASH_OFFICER = "mash_officer", "MASH officer"
    DECISION_MAKER = "decision_maker", "Decision maker"
    TEAM_MANAGER = "team_manager", "MASH team manager"
    PARTNER_PRACTITIONER = "partner_practitioner", "Partner agency practitioner"
    RECEIVING_PRACTITIONER = "receiving_practitioner", "Practitioner in a receiving team"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"
    SERVICE_MANAGER = "service_manager", "MASH service manager"
    STRATEGIC_MANAGER = "strategic_manager", "Strategic manager"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"


# The MASH service manager works inside the MASH (audits, disputes, oversight) and reads its
# records; strategic managers and assistant directors only see the disputes and reports they
# are asked to act on (need to know).
MASH_ROLES = frozenset({Role.MASH_OFFICER, Role.DECISION_MAKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER})
SENIOR_MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.STRATEGIC_MANAGER, Role.ASSISTANT_DIRECTOR})


class User(AbstractUser):
    """A practitioner. Role and agency decide what they may see (need to know)."""

    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    team = models.ForeignKey("partnership.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_mash_member(self) -> bool:
        return self.role in MASH_ROLES

    @property
    def is_senior_manager(self) -> bool:
        return self.role in SENIOR_MANAGER_ROLES

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER_PRACTITIONER

    @property
    def is_receiving_practitioner(self) -> bool:
        return self.role == Role.RECEIVING_PRACTITIONER

"""The audit log: append-only, hash-chained, and any edit or deletion is detected and named."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from mash.audit import services as audit
from mash.audit.hashing import GENESIS_HASH, event_hash
from mash.audit.models import AuditChainHead, AuditEvent, AuditTamperingRefused

pytestmark = pytest.mark.django_db

IS_POSTGRES = connection.vendor == "postgresql"


@contextlib.contextmanager
def tampering_allowed():
    """Let raw SQL change the table: on PostgreSQL the append-only trigger is switched off meanwhile."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def raw(sql: str, params: list[object]) -> None:
    with tampering_allowed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def write_events(count: int, actor=None) -> list[AuditEvent]:  # noqa: ANN001
    return [audit.record(actor, f"test.event_{i}", summary=f"event number {i}", reason=f"because {i}") for i in range(count)]


def verify_command() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


# -- writing ----------------------------------------------------------------------------


def test_record_chains_sequential_events():
    start = AuditEvent.objects.count()
    events = write_events(5)
    sequences = [e.sequence for e in events]
    assert sequences == list(range(start + 1, start + 6))
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.previous_hash == earlier.hash
    assert len({e.hash for e in events}) == 5
    if start == 0:
        assert events[0].previous_hash == GENESIS_HASH
    head = AuditChainHead.objects.get(id=1)
    assert head.last_sequence == events[-1].sequence
    assert head.last_hash == events[-1].hash


def test_the_hash_covers_the_stored_fields():
    event = write_events(1)[0]
    stored = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert event_hash(stored["previous_hash"], stored) == stored["hash"]
    tampered = dict(stored, summary=stored["summary"] + "!")
    assert event_hash(stored["previous_hash"], tampered) != stored["hash"]


def test_record_stores_who_with_role_and_agency(users):
    event = audit.record(users.police, "test.looked", users.officer, summary="s", reason="r")
    event.refresh_from_db()
    assert event.actor_id == users.police.pk
    assert event.actor_username == "police"
    assert event.actor_role == "partner_practitioner"
    assert event.actor_agency == "Demoshire Constabulary"
    assert event.object_type == "accounts.user"
    assert event.object_id == str(users.officer.pk)
    assert (event.summary, event.reason) == ("s", "r")


def test_system_events_have_no_actor():
    event = audit.record(None, "test.system")
    assert event.actor_id is None
    assert event.actor_username == ""
    assert event.actor_role == ""


# -- verification -----------------------------------------------------------------------


def test_verify_chain_ok_on_an_intact_log(users):
    write_events(4, users.officer)
    result = audit.verify_chain()
    assert result.ok, result.problem
    assert result.events_checked == AuditEvent.objects.count()
    assert result.first_bad_sequence is None


def test_verify_chain_ok_on_an_empty_log():
    if AuditEvent.objects.exists():
        pytest.skip("the fixtures already wrote events")
    assert audit.verify_chain().ok


def test_command_reports_ok():
    write_events(3)
    output = verify_command()
    assert "Audit log OK" in output
    assert f"{AuditEvent.objects.count()} events verified" in output


@pytest.mark.parametrize("column", ["summary", "reason", "actor_username", "action", "object_id"])
def test_altered_row_is_named(column):
    events = write_events(5)
    victim = events[2]
    raw(f"UPDATE audit_auditevent SET {column} = %s WHERE sequence = %s", ["rewritten by an intruder", victim.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == victim.sequence
    assert f"#{victim.sequence}" in result.problem
    assert "altered" in result.problem
    with pytest.raises(CommandError, match=rf"event #{victim.sequence}\b"):
        verify_command()


def test_altered_timestamp_is_named():
    events = write_events(3)
    victim = events[1]
    raw("UPDATE audit_auditevent SET occurred_at = %s WHERE sequence = %s", ["2020-01-01 00:00:00", victim.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == victim.sequence


def test_rehashing_an_altered_row_is_caught_at_the_next_event():
    """An intruder who recomputes the altered row's own hash still breaks the link to the next one."""
    events = write_events(4)
    victim = events[1]
    row = AuditEvent.objects.filter(pk=victim.pk).values().get()
    row["summary"] = "nothing happened here"
    new_hash = event_hash(row["previous_hash"], row)
    raw("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE sequence = %s", [row["summary"], new_hash, victim.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == events[2].sequence
    assert "does not follow" in result.problem


def test_deleting_a_middle_row_is_named():
    events = write_events(5)
    victim = events[2]
    raw("DELETE FROM audit_auditevent WHERE sequence = %s", [victim.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == victim.sequence
    assert "missing" in result.problem
    with pytest.raises(CommandError, match=rf"event #{victim.sequence}\b"):
        verify_command()


def test_deleting_the_last_row_is_detected():
    events = write_events(4)
    last = events[-1]
    raw("DELETE FROM audit_auditevent WHERE sequence = %s", [last.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == last.sequence
    with pytest.raises(CommandError, match=rf"#{last.sequence}\b"):
        verify_command()


def test_deleting_the_last_rows_is_detected():
    events = write_events(5)
    raw("DELETE FROM audit_auditevent WHERE sequence >= %s", [events[2].sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == events[2].sequence


def test_deleting_the_first_row_is_detected():
    write_events(3)
    first = AuditEvent.objects.order_by("sequence").first()
    raw("DELETE FROM audit_auditevent WHERE sequence = %s", [first.sequence])
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == first.sequence


def test_recording_continues_after_a_break_but_the_break_stays_reported():
    events = write_events(3)
    raw("UPDATE audit_auditevent SET summary = %s WHERE sequence = %s", ["x", events[0].sequence])
    write_events(2)
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == events[0].sequence


# -- refusing tampering through the ORM -------------------------------------------------


def test_orm_queryset_update_is_refused():
    event = write_events(1)[0]
    with pytest.raises(AuditTamperingRefused):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AuditTamperingRefused):
        AuditEvent.objects.all().update(reason="changed")
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_orm_queryset_delete_is_refused():
    event = write_events(1)[0]
    with pytest.raises(AuditTamperingRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditTamperingRefused):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_saving_an_existing_event_is_refused():
    event = write_events(1)[0]
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.summary = "changed"
    with pytest.raises(AuditTamperingRefused):
        loaded.save()
    with pytest.raises(AuditTamperingRefused):
        loaded.save(update_fields=["summary"])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_deleting_an_instance_is_refused():
    event = write_events(1)[0]
    with pytest.raises(AuditTamperingRefused):
        AuditEvent.objects.get(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_is_refused():
    event = write_events(1)[0]
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.summary = "changed"
    # bulk_update runs in its own atomic block; keep the test's transaction usable.
    with pytest.raises(AuditTamperingRefused), transaction.atomic():
        AuditEvent.objects.bulk_update([loaded], ["summary"])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_chain_still_verifies_after_refused_tampering():
    event = write_events(2)[0]
    with contextlib.suppress(AuditTamperingRefused):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with contextlib.suppress(AuditTamperingRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert audit.verify_chain().ok


@pytest.mark.skipif(not IS_POSTGRES, reason="the append-only trigger exists only on PostgreSQL; SQLite relies on the hash chain")
def test_postgres_trigger_refuses_raw_update_and_delete():
    event = write_events(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE sequence = %s", [event.sequence])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [event.sequence])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary
    assert audit.verify_chain().ok


# -- transactions -----------------------------------------------------------------------


def test_event_written_in_a_rolled_back_transaction_does_not_exist():
    before = write_events(2)
    head_before = AuditChainHead.objects.get(id=1)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit.record(None, "test.rolled_back", summary="this never happened")
        raise Boom

    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    head_after = AuditChainHead.objects.get(id=1)
    assert (head_after.last_sequence, head_after.last_hash) == (head_before.last_sequence, head_before.last_hash)
    assert audit.verify_chain().ok

    following = audit.record(None, "test.after_rollback")
    assert following.sequence == before[-1].sequence + 1
    assert following.previous_hash == before[-1].hash
    assert audit.verify_chain().ok


def test_rolled_back_business_change_leaves_no_event(users):
    """A service that fails after recording rolls the event back with it."""
    from mash.intake.models import Contact
    from tests import factories

    count = AuditEvent.objects.filter(action="contact.recorded").count()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011
        factories.record(users.officer)
        raise RuntimeError("database went away")
    assert AuditEvent.objects.filter(action="contact.recorded").count() == count
    assert not Contact.objects.exists()
    assert audit.verify_chain().ok

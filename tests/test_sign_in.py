"""Signing in through the real form: audit of every attempt, lockout, hashing, two-factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.accounts.models import User
from mash.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
SIGN_IN = "accounts:sign-in"


def sign_in(client, username: str = "officer", password: str = PASSWORD, **extra):  # noqa: ANN001, ANN201
    return client.post(reverse(SIGN_IN), {"username": username, "password": password}, **extra)


def events(action: str):  # noqa: ANN201
    return AuditEvent.objects.filter(action=action).order_by("sequence")


def is_signed_in(client) -> bool:  # noqa: ANN001
    return "_auth_user_id" in client.session


# -- password sign-in -----------------------------------------------------------------------


def test_sign_in_page_is_open_to_anonymous_users(client, users):
    response = client.get(reverse(SIGN_IN))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_sign_in_with_the_right_password(client, users):
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("workqueue:home")
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == users.officer.pk
    event = events("auth.signed_in").get()
    assert event.actor_id == users.officer.pk
    assert event.actor_role == "mash_officer"
    assert event.object_id == str(users.officer.pk)
    assert event.ip_address == "127.0.0.1"
    assert client.get(reverse("workqueue:home")).status_code == 200


def test_sign_in_honours_a_safe_next(client, users):
    response = client.post(reverse(SIGN_IN) + "?next=/contacts/", {"username": "officer", "password": PASSWORD})
    assert response["Location"] == "/contacts/"


def test_sign_in_refuses_an_off_site_next(client, users):
    response = client.post(reverse(SIGN_IN) + "?next=https://evil.example/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_wrong_password_is_refused_and_audited(client, users):
    response = sign_in(client, password="not-the-password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not is_signed_in(client)
    event = events("auth.sign_in_failed").get()
    assert event.actor_id is None
    assert event.object_id == "officer"
    assert "officer" in event.summary
    assert "not-the-password" not in event.summary + event.reason
    assert not events("auth.signed_in").exists()


def test_unknown_user_is_refused_and_audited(client, users):
    response = sign_in(client, username="nobody", password="whatever-it-is")
    assert response.status_code == 200
    assert not is_signed_in(client)
    assert events("auth.sign_in_failed").get().object_id == "nobody"


def test_inactive_user_cannot_sign_in(client, users):
    User.objects.filter(pk=users.officer.pk).update(is_active=False)
    sign_in(client)
    assert not is_signed_in(client)


def test_sign_out_is_audited(client, users):
    sign_in(client)
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert events("auth.signed_out").get().actor_id == users.officer.pk


# -- lockout --------------------------------------------------------------------------------


def fail(client, times: int, username: str = "officer", **extra):  # noqa: ANN001, ANN201
    return [sign_in(client, username=username, password=f"wrong-{i}", **extra).status_code for i in range(times)]


def test_five_failures_lock_the_account(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = fail(client, 5)
    # The first four re-show the form; the fifth reaches the limit and shows the locked page.
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    assert events("auth.sign_in_failed").count() == 5
    locked = events("auth.locked_out")
    assert locked.exists()
    assert locked.first().object_id == "officer"
    assert not is_signed_in(client)


def test_locked_account_refuses_even_the_right_password(client, users):
    fail(client, 5)
    response = sign_in(client)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert not is_signed_in(client)
    assert not events("auth.signed_in").exists()
    # and the work queue is still closed to this browser
    home = client.get(reverse("workqueue:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse(SIGN_IN))


def test_lock_follows_the_account_to_another_address(client, users):
    fail(client, 5)
    response = sign_in(client, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_other_accounts_from_other_addresses_are_not_locked(client, users):
    fail(client, 5)
    response = sign_in(client, username="decider", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_lock_expires_after_the_cool_off(client, users, settings):
    fail(client, 5)
    later = timezone.now() + timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later, tick=False):
        response = sign_in(client)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_success_resets_the_failure_count(client, users):
    assert fail(client, 4) == [200] * 4
    assert sign_in(client).status_code == 302
    client.post(reverse("accounts:sign-out"))
    # Four more failures after a success are not five in a row.
    assert fail(client, 4) == [200] * 4
    assert sign_in(client).status_code == 302


# -- password storage -------------------------------------------------------------------------


def test_passwords_are_stored_hashed(users):
    for user in users.all():
        user.refresh_from_db()
        assert user.password != PASSWORD
        assert PASSWORD not in user.password
        identify_hasher(user.password)  # raises if it is not a recognised hash
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD.upper())


def test_project_default_hasher_is_a_slow_one():
    """The tests swap in a fast hasher; the project's own configuration must use a proper password hash."""
    from django.conf import global_settings

    import config.settings as project

    configured = getattr(project, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert configured[0].rsplit(".", 1)[-1] in {
        "PBKDF2PasswordHasher",
        "Argon2PasswordHasher",
        "BCryptSHA256PasswordHasher",
        "ScryptPasswordHasher",
    }


# -- two-factor -------------------------------------------------------------------------------


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + drift)).zfill(
        device.digits
    )


def wrong_code_for(device: TOTPDevice) -> str:
    near = {code_for(device, d) for d in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


@pytest.fixture
def two_factor_required(settings):
    settings.MASH_REQUIRE_TWO_FACTOR = True


@pytest.fixture
def device(users):
    return TOTPDevice.objects.create(user=users.officer, name="Phone", confirmed=True)


def test_without_a_device_the_user_is_sent_to_set_up(client, users, two_factor_required):
    assert sign_in(client).status_code == 302
    response = client.get(reverse("workqueue:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor-setup")
    # Every protected page sends them there, not only the home page.
    assert client.get(reverse("intake:list"))["Location"] == reverse("accounts:two-factor-setup")
    setup = client.get(reverse("accounts:two-factor-setup"))
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()


def test_setting_up_the_device(client, users, two_factor_required):
    sign_in(client)
    client.get(reverse("accounts:two-factor-setup"))
    pending = TOTPDevice.objects.get(user=users.officer)
    assert not pending.confirmed
    response = client.post(reverse("accounts:two-factor-setup"), {"token": code_for(pending)})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed
    assert client.get(reverse("workqueue:home")).status_code == 200
    assert events("auth.second_factor_enrolled").get().actor_id == users.officer.pk


def test_with_a_device_the_user_must_enter_a_code(client, users, two_factor_required, device):
    sign_in(client)
    response = client.get(reverse("workqueue:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor") + "?next=/"


def test_wrong_code_is_refused_then_right_code_lets_them_in(client, users, two_factor_required, device):
    sign_in(client)
    response = client.post(reverse("accounts:two-factor"), {"token": wrong_code_for(device), "next": "/"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert events("auth.second_factor_failed").count() == 1
    blocked = client.get(reverse("workqueue:home"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:two-factor"))

    # django-otp throttles for a second after a failure; come back a little later.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        response = client.post(reverse("accounts:two-factor"), {"token": code_for(device), "next": "/"})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get(reverse("workqueue:home")).status_code == 200
    assert events("auth.second_factor_passed").get().actor_id == users.officer.pk


def test_a_used_code_cannot_be_replayed(client, users, two_factor_required, device):
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        sign_in(client)
        code = code_for(device)
        assert client.post(reverse("accounts:two-factor"), {"token": code, "next": "/"}).status_code == 302
    other = type(client)()
    with time_machine.travel(moment + timedelta(seconds=1), tick=False):
        sign_in(other)
        response = other.post(reverse("accounts:two-factor"), {"token": code, "next": "/"})
    assert response.status_code == 200
    assert other.get(reverse("workqueue:home")).status_code == 302


def test_device_owners_are_challenged_even_when_two_factor_is_optional(client, users, settings, device):
    settings.MASH_REQUIRE_TWO_FACTOR = False
    sign_in(client)
    response = client.get(reverse("workqueue:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor"))


def test_code_page_refuses_an_off_site_next(client, users, two_factor_required, device):
    sign_in(client)
    response = client.post(reverse("accounts:two-factor"), {"token": code_for(device), "next": "https://evil.example/steal"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_code_is_required_and_six_digits(client, users, two_factor_required, device):
    sign_in(client)
    response = client.post(reverse("accounts:two-factor"), {"token": "123", "next": "/"})
    assert response.status_code == 200
    assert "The code has 6 digits." in response.content.decode()
    assert client.get(reverse("workqueue:home")).status_code == 302


def test_two_factor_setting_off_and_no_device_lets_the_user_in(client, users):
    sign_in(client)
    assert client.get(reverse("workqueue:home")).status_code == 200

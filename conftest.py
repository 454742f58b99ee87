"""Shared fixtures: a configured partnership and one user per role, built through the models."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MASH_REQUIRE_TWO_FACTOR", "0")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MASH_REQUIRE_TWO_FACTOR = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def partnership(db):  # noqa: ANN001
    from mash.demo.builders import build_partnership

    return build_partnership()


@pytest.fixture
def users(partnership):  # noqa: ANN001
    from mash.demo.builders import build_users

    return build_users(password="test-password-123")

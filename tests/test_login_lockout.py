"""Signing in to the admin: after five wrong passwords the account and the client
address are locked out for fifteen minutes (django-axes), the right password included,
with a page in Ukrainian; a moderator unlocks sooner, under Settings."""

import datetime
import logging
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

PASSWORD = "Правильний-пароль-2017"
OFFICE = "203.0.113.5"
CAFE = "198.51.100.7"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    # The test settings leave axes off for the client's request-less login().
    settings.AXES_ENABLED = True


@pytest.fixture
def olena(django_user_model):
    user = django_user_model.objects.create_user("olena", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Редактори"))
    return user


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("moderator", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Модератори"))
    return user


def sign_in(client, username, password, address=OFFICE, **headers):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, times, username="olena", address=OFFICE):
    return [sign_in(client, username, "невірний", address) for _ in range(times)][-1]


def test_four_wrong_passwords_leave_the_login_form(client, olena):
    response = fail(client, 4)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_fifth_wrong_password_locks_out_with_a_ukrainian_page(client, olena):
    fail(client, 4)
    response = fail(client, 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Вхід заблоковано" in html
    assert "Забагато невдалих спроб входу" in html
    assert "заблоковано на 15 хвилин" in html
    assert "попросіть модератора" in html
    # The right password is refused too, now.
    assert sign_in(client, "olena", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_sixty_tries_in_a_row_reach_the_password_check_only_five_times(client, olena):
    from unittest import mock

    from django.contrib.auth.backends import ModelBackend

    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, return_value=None
    ) as checked:
        for _ in range(60):
            sign_in(client, "olena", "невірний")
    assert checked.call_count == 5


def test_the_locked_account_is_locked_from_any_address(client, olena):
    fail(client, 5, address=OFFICE)
    assert sign_in(client, "olena", PASSWORD, address=CAFE).status_code == 429
    assert not signed_in(client)


def test_the_locked_address_is_locked_for_any_account(client, olena, moderator):
    for username in ("petro", "ivan", "maria", "admin", "olena"):
        fail(client, 1, username=username, address=OFFICE)
    assert sign_in(client, "moderator", PASSWORD, address=OFFICE).status_code == 429
    assert sign_in(client, "moderator", PASSWORD, address=CAFE).status_code == 302
    assert signed_in(client)


def test_a_successful_login_clears_the_accounts_failures(client, olena):
    fail(client, 4)
    assert sign_in(client, "olena", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4).status_code == 200
    assert sign_in(client, "olena", PASSWORD).status_code == 302


def test_after_fifteen_minutes_the_right_password_works_again(client, olena):
    locked_at = timezone.now()
    with time_machine.travel(locked_at, tick=False):
        fail(client, 5)
    with time_machine.travel(locked_at + datetime.timedelta(minutes=14), tick=False):
        # Tries during the lockout do not extend it.
        assert sign_in(client, "olena", PASSWORD).status_code == 429
    with time_machine.travel(locked_at + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, "olena", PASSWORD).status_code == 302
    assert signed_in(client)


def test_behind_nginx_each_visitor_has_their_own_address(client, settings, olena, moderator):
    settings.TRUSTED_PROXY_COUNT = 1
    nginx = "127.0.0.1"
    for _ in range(5):
        # The attacker writes a made-up address first; nginx appends the real one.
        sign_in(client, "olena", "невірний", nginx, x_forwarded_for=f"{CAFE}, {OFFICE}")
    assert sign_in(client, "moderator", PASSWORD, nginx, x_forwarded_for=CAFE).status_code == 302
    client.logout()
    response = sign_in(client, "moderator", PASSWORD, nginx, x_forwarded_for=OFFICE)
    assert response.status_code == 429


def test_a_moderator_sees_the_lockouts_and_unlocks_the_account(client, olena, moderator):
    fail(client, 5, address=OFFICE)
    client.force_login(moderator)
    dashboard = client.get("/admin/").content.decode()
    assert '"url": "/admin/login-lockouts/"' in dashboard  # the sidebar's menu data
    page = client.get("/admin/login-lockouts/").content.decode()
    # The visible header (the breadcrumbs' last item) names the page, not «Головна».
    breadcrumbs = re.search(r'<nav[^>]*aria-label="Ланцюжок навігації">(.*?)</nav>', page, re.S)
    assert "Заблоковані входи" in breadcrumbs.group(1)
    assert "olena" in page and OFFICE in page
    response = client.post("/admin/login-lockouts/", {"username": "olena"}, follow=True)
    # The name as it is, kept out of the language checks and of browsers' translators.
    assert (
        'Вхід до облікового запису «<span translate="no">olena</span>» розблоковано.'
        in response.content.decode()
    )
    assert "olena" not in client.get("/admin/login-lockouts/").content.decode()
    client.logout()
    assert sign_in(client, "olena", PASSWORD, address=CAFE).status_code == 302


def test_a_moderator_unlocks_an_address(client, olena, moderator):
    for username in ("petro", "ivan", "maria", "admin", "oksana"):
        fail(client, 1, username=username, address=OFFICE)
    client.force_login(moderator)
    response = client.post("/admin/login-lockouts/", {"ip_address": OFFICE}, follow=True)
    assert (
        f'Вхід з адреси <span translate="no">{OFFICE}</span> розблоковано.'
        in response.content.decode()
    )
    client.logout()
    assert sign_in(client, "olena", PASSWORD, address=OFFICE).status_code == 302


def test_editors_neither_see_nor_use_the_lockouts(client, olena):
    from axes.models import AccessAttempt

    fail(client, 5, username="ivan")
    client.force_login(olena)
    assert "/admin/login-lockouts/" not in client.get("/admin/").content.decode()  # no menu item
    response = client.get("/admin/login-lockouts/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    client.post("/admin/login-lockouts/", {"username": "ivan"})
    assert AccessAttempt.objects.filter(username="ivan").exists()


def test_the_log_of_a_lockout_names_no_account_and_no_address(client, olena, caplog):
    with caplog.at_level(logging.INFO):
        fail(client, 6)
    assert "Locking out" in caplog.text
    assert "olena" not in caplog.text
    assert OFFICE not in caplog.text


def test_a_malformed_address_to_unlock_gets_a_ukrainian_error(client, moderator):
    client.force_login(moderator)
    response = client.post("/admin/login-lockouts/", {"ip_address": "не адреса"}, follow=True)
    assert response.status_code == 200
    assert "Введіть правильну IPv4 або IPv6 адресу." in response.content.decode()

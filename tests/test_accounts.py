"""Identity from the deployment: a trusted proxy header, a login, the local user, or nobody."""

from __future__ import annotations

import pytest

from geo.accounts import USER_KEY, identify


def test_a_trusted_proxy_header_names_the_user():
    got = identify({USER_KEY: " ana@example.org "}, embedded=False, local_user="me")
    assert (got.name, got.via, got.known) == ("ana@example.org", "proxy", True)


def test_a_login_names_the_user_by_email_first():
    info = {"is_logged_in": True, "email": "ben@example.org", "name": "Ben"}
    assert identify(info, embedded=False, local_user="me").name == "ben@example.org"


def test_claims_without_a_login_are_not_an_identity():
    got = identify({"is_logged_in": False, "email": "eve@example.org"}, embedded=False,
                   local_user="me")  # fmt: skip
    assert (got.via, got.known) == ("none", False)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_an_embedded_store_is_the_local_users_when_no_header_is_trusted(header):
    got = identify({USER_KEY: header}, embedded=True, local_user="me")
    assert (got.name, got.via) == ("me", "local")


def test_a_team_store_without_identity_is_anonymous():
    got = identify({}, embedded=False, local_user="me")
    assert (got.name, got.via) == ("anonymous", "none")

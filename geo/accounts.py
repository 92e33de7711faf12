"""Who is using the dashboard: identity from the deployment, roles from the store.

The dashboard never asks for a password. A team deployment puts an authenticating reverse
proxy in front of Streamlit (for example nginx or Caddy with oauth2-proxy) and tells
Streamlit to trust the header the proxy sets::

    streamlit run dashboard.py --server.trustedUserHeaders '{"X-Forwarded-User": "user"}'

Streamlit then copies that header into ``st.user["user"]`` on each connection; without
the setting it copies nothing, so a header a browser sends by itself is ignored. A
deployment with ``st.login`` and an OpenID Connect provider gives ``st.user.email``
instead. With neither, a SQLite store is one analyst's own: the local user. A PostgreSQL
store with no identity is read-only.

The caller passes ``st.user.to_dict()``; this module never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

USER_KEY: Final = "user"
LOGIN_KEYS: Final = ("email", "preferred_username", "sub", "name")
ANONYMOUS: Final = "anonymous"


@dataclass(frozen=True)
class Identity:
    """Who the dashboard acts as.

    Attributes
    ----------
    name : str
        The account name looked up in the store's ``users`` table.
    via : str
        ``proxy`` (a trusted header), ``login`` (``st.login``), ``local`` (embedded
        SQLite) or ``none`` (read-only).
    """

    name: str
    via: str

    @property
    def known(self) -> bool:
        """Whether anyone is identified (``via`` is not ``none``)."""
        return self.via != "none"


def identify(user_info: Mapping[str, Any], *, embedded: bool, local_user: str) -> Identity:
    """Decide who the user is from what Streamlit knows of the connection.

    Parameters
    ----------
    user_info : mapping
        ``st.user.to_dict()``: keys from ``server.trustedUserHeaders`` (the header the
        proxy sets mapped to :data:`USER_KEY`) and, after ``st.login``, the provider's
        claims with ``is_logged_in``.
    embedded : bool
        The store is a local SQLite file (one analyst, no login).
    local_user : str
        The local account, used when embedded.

    Returns
    -------
    Identity
    """
    proxied = user_info.get(USER_KEY)
    if isinstance(proxied, str) and proxied.strip():
        return Identity(proxied.strip(), "proxy")
    if user_info.get("is_logged_in"):
        for key in LOGIN_KEYS:
            value = user_info.get(key)
            if isinstance(value, str) and value.strip():
                return Identity(value.strip(), "login")
    if embedded:
        return Identity(local_user, "local")
    return Identity(ANONYMOUS, "none")

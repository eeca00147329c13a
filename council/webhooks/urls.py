"""Which URLs a webhook may be sent to: the rule against server-side request forgery (SSRF).

A webhook makes Council send requests to an address an administrator typed,
so a careless or hostile URL could reach what only the server can reach (the
cloud's metadata service at 169.254.169.254, a database on the private
network, the node itself). The rule (:func:`check_url`):

- the scheme is ``https``; ``http`` only to a loopback host (``localhost``,
  127.0.0.0/8, ``::1``) and only when ``COUNCIL_MODE=development``;
- no user name or password in the URL, a host, a port in range;
- every address the host resolves to is global: not private (RFC 1918,
  ``fc00::/7``), loopback (allowed in development only), link-local
  (169.254.0.0/16, ``fe80::/10``), multicast, unspecified, shared (100.64/10)
  or reserved, unless ``COUNCIL_WEBHOOKS_ALLOW_PRIVATE`` says ``true`` or lists
  a network (CIDR) holding the address.

The rule runs when an endpoint is created and again before every delivery
(:mod:`council.webhooks.delivery`), since what a name resolves to may change;
the delivery then connects to the address just checked (:func:`pinned`), not
to whatever a second lookup would answer (DNS rebinding), with the name kept
for the ``Host`` header, TLS's SNI and the certificate check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from council.errors import DomainError, ErrorCode
from council.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
URL_MAX = 2048
"""Characters of a webhook URL at most (the column's size)."""


def _refused(reason: str, **params: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, f"webhook_url_{reason}", field="url", name="url", **params)


def _allowed_networks() -> tuple[bool, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """(everything allowed, the allowed networks) from ``COUNCIL_WEBHOOKS_ALLOW_PRIVATE``; bad entries ignored."""
    raw = get_settings().webhooks_allow_private.strip()
    if raw.lower() in {"true", "1", "yes"}:
        return True, []
    networks = []
    for part in raw.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return False, networks


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached (``private``, ``loopback``, ``link_local`` ...), or None.

    Loopback is allowed in development mode; the allow setting (module docstring) overrides the rest.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        kind = None if get_settings().development else "loopback"
    elif address.is_link_local:
        kind = "link_local"
    elif address.is_multicast:
        kind = "multicast"
    elif address.is_unspecified or address.is_reserved:
        kind = "reserved"
    elif address.is_private or not address.is_global:
        kind = "private"
    else:
        kind = None
    if kind is None:
        return None
    everything, networks = _allowed_networks()
    if everything or any(address in network for network in networks):
        return None
    return kind


def check_syntax(url: str) -> tuple[str, int]:
    """(host, port) of a well-formed webhook URL, scheme rule included (no DNS).

    Raises:
        DomainError: INVALID_INPUT on ``url`` (``webhook_url_invalid``,
            ``webhook_url_scheme``, ``webhook_url_http``).
    """
    if not url or len(url) > URL_MAX or any(c.isspace() for c in url):
        raise _refused("invalid", value=url[:100])
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refused("invalid", value=url[:100]) from None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise _refused("invalid", value=url[:100])
    if parts.scheme not in {"https", "http"}:
        raise _refused("scheme", value=url[:100])
    if parts.scheme == "http" and not (get_settings().development and _is_loopback_host(host)):
        raise _refused("http", value=url[:100])
    return host, port or (443 if parts.scheme == "https" else 80)


def _is_loopback_host(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to now (an IP literal is itself). Raises OSError when it resolves to none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    if not found:
        raise OSError(f"{host} resolves to no address")
    return sorted(found, key=str)


async def check_url(url: str) -> list[IPAddress]:
    """Refuse a URL a webhook may not be sent to (module docstring); the addresses it may be sent to.

    Raises:
        DomainError: INVALID_INPUT on field ``url``: ``webhook_url_invalid``,
            ``webhook_url_scheme``, ``webhook_url_http`` (http outside
            development or not to loopback), ``webhook_url_unresolved`` (DNS
            gave no address), ``webhook_url_private`` / ``_loopback`` /
            ``_link_local`` / ``_multicast`` / ``_reserved`` (with the address).
    """
    host, port = check_syntax(url)
    try:
        addresses = await resolve(host, port)
    except OSError:
        raise _refused("unresolved", host=host) from None
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            raise _refused(problem, host=host, address=str(address))
    return addresses


def pinned(url: str, address: IPAddress) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL naming ``address`` instead of the host, headers, httpx extensions) to reach ``url`` at ``address``.

    The ``Host`` header keeps the name (and port); for https the name is the
    TLS server name (``sni_hostname``), which the certificate is checked against.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port is not None else literal
    target = parts._replace(netloc=netloc).geturl()
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return target, {"host": parts.netloc}, extensions

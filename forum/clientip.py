"""The client's IP address, as far as it can be trusted."""

import ipaddress

from django.conf import settings


def client_ip(meta: dict) -> str | None:
    """Return the client's IP, trusting X-Forwarded-For only from TRUSTED_PROXIES.

    Walks the forwarded chain from the right (the hop nearest to us) and
    returns the first address that is not a trusted proxy, so a client can't
    choose its own IP by sending the header itself.
    """
    hops = [meta.get("REMOTE_ADDR", "")]
    if _is_trusted_proxy(hops[0]):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + hops
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            return _valid_ip(hop)
    return _valid_ip(hops[0])


def _is_trusted_proxy(address: str) -> bool:
    ip = _valid_ip(address)
    if ip is None:
        return False
    return any(
        ipaddress.ip_address(ip) in ipaddress.ip_network(proxy, strict=False)
        for proxy in settings.TRUSTED_PROXIES
    )


def _valid_ip(address: str) -> str | None:
    # An IPv6 zone ("%eth0") names the server's own interface: never stored
    # (PostgreSQL's inet refuses it, and it can outgrow the column).
    try:
        return str(ipaddress.ip_address(address.strip().partition("%")[0]))
    except ValueError:
        return None

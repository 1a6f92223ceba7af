"""Which webhook targets a server may call (docs/security.md, "Webhook targets").

A server that other machines reach (not bound to loopback, or behind a proxy with ``--require-login``) refuses
webhook URLs whose host resolves to a loopback, link-local, private, shared, reserved or cloud-metadata address:
otherwise any analyst could make the server call into the bureau's internal network or read the cloud metadata
service (SSRF). The admin who starts the server may allow internal targets explicitly
(``serve --allow-internal-webhooks``). The check runs when a URL is saved (a 4xx / exit 2 for the user) and
again before every delivery (the name may resolve elsewhere by then).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ...core.errors import UserError

# metadata services of cloud providers, also refused when they look public
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254", "169.254.170.2")}


class RefusedTarget(UserError):
    """A webhook URL this server will not call: its host is an internal address."""


def internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Not a public address: loopback, link-local, private, shared (100.64/10), reserved, multicast, metadata."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip in METADATA or not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address the host name resolves to (an IP literal is itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"无法解析 Webhook 主机: {host}（{exc}）", en=f"cannot resolve the webhook host: {host} ({exc})") from None
    return [ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos]


@dataclass(frozen=True)
class WebhookPolicy:
    """``restrict``: refuse internal targets (a server others reach); ``allow_internal``: the admin's explicit yes."""

    restrict: bool = False
    allow_internal: bool = False

    @classmethod
    def for_server(cls, local_only: bool, allow_internal: bool = False) -> "WebhookPolicy":
        return cls(restrict=not local_only, allow_internal=allow_internal)

    def check(self, url: str) -> None:
        """Refuse ``url`` when this server must not call it (one line naming the address and the way out)."""
        if not self.restrict or self.allow_internal:
            return
        parts = urlsplit(url)
        if not parts.hostname:
            raise UserError(f"Webhook 地址缺少主机名: {url}", en=f"the webhook URL has no host: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for ip in resolve(parts.hostname, port):
            if internal(ip):
                raise RefusedTarget(
                    f"Webhook 地址 {url} 指向内网、本机或元数据地址 {ip}，本服务器不向其发送"
                    "（管理员可用 zhaoshang serve --allow-internal-webhooks 明确放行）",
                    en=f"the webhook URL {url} points at an internal, loopback or metadata address ({ip}); this server "
                       "does not call it (an admin may allow it with zhaoshang serve --allow-internal-webhooks)")


LOCAL = WebhookPolicy()

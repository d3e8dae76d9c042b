"""Refuse network connections to anything but this machine: the book must run offline.

`install()` patches the socket module so that connecting to, or resolving, a non-loopback
address raises `NetworkAccessError`. The test suite installs it in the pytest process and, via
`tests/netguard/sitecustomize.py`, in every notebook kernel and subprocess it starts.
"""

import ipaddress
import socket

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkAccessError(OSError):
    """Raised when code tries to reach a host other than this machine."""


def is_local(host):
    """True for loopback addresses and names (127.0.0.0/8, ::1, localhost)."""
    if host is None or host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address):
    if isinstance(address, tuple) and address and not is_local(address[0]):
        raise NetworkAccessError(
            f"network access to {address[0]!r} refused: this book runs offline "
            "(bigmodels.netguard); load data from .data/ via `make data` instead"
        )


def install():
    """Patch socket.connect/connect_ex/sendto and getaddrinfo (idempotent)."""
    if getattr(socket, "_bigmodels_guarded", False):
        return
    connect, connect_ex, sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self, address):
        _check(address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        _check(address)
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        _check(args[-1])
        return sendto(self, data, *args)

    def guarded_getaddrinfo(host, *args, **kwargs):
        _check((host.decode() if isinstance(host, bytes) else host,))
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.socket.sendto = guarded_sendto
    socket.getaddrinfo = guarded_getaddrinfo
    socket._bigmodels_guarded = True

"""The book runs offline: the guard refuses non-loopback connections everywhere tests run."""

import os
import socket
import subprocess
import sys

import pytest

from netguard import NetworkAccessError, is_local  # tests/netguard/ (on sys.path via conftest.py)


def test_loopback_is_local_and_the_internet_is_not():
    assert is_local("127.0.0.1") and is_local("::1") and is_local("localhost") and is_local("127.8.9.10")
    assert not is_local("8.8.8.8") and not is_local("pypi.org") and not is_local("10.0.0.1")


def test_guard_refuses_a_connection_in_this_process():
    with socket.socket() as s, pytest.raises(NetworkAccessError, match="runs offline"):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed anyway
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("example.com", 443)


def test_guard_is_active_in_subprocesses_and_kernels():
    """Notebook kernels inherit PYTHONPATH from pytest, so they start with the guard installed."""
    code = ("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
            "except Exception as e:\n    print(type(e).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert out.stdout.strip() == "NetworkAccessError", out.stderr


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass

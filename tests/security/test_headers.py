"""Response headers as a client sees them.

No server or library versions from the server `make run` and production use (gunicorn, with
the project's gunicorn.conf.py), HSTS only over HTTPS (also when a trusted proxy says so), the
content security policy everywhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import ROOT

STS = "Strict-Transport-Security"


def reveals_versions(server: str | None) -> bool:
    return server is not None and any(ch.isdigit() for ch in server) or \
        any(name in (server or "").lower() for name in ("werkzeug", "python", "gunicorn"))


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_server_header_names_no_versions(tmp_path):
    """The production server with the project's gunicorn configuration."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "headers-test",
           "WEB_WORKERS": "1", "WEB_THREADS": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "-b", f"127.0.0.1:{port}", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        headers = _first_answer(f"http://127.0.0.1:{port}/login", process)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    servers = headers.get_all("Server") or []
    assert len(servers) <= 1 and not reveals_versions(servers[0] if servers else None), servers


def _first_answer(url: str, process):
    for _ in range(300):  # waits for the server to listen; asserts nothing about time
        if process.poll() is not None:
            pytest.fail(process.stderr.read().decode()[-2000:])
        try:
            return fetch(url)[1]
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer")


def test_hsts_only_over_https(client):
    plain = client.get("/login")
    assert STS not in plain.headers
    assert "default-src 'self'" in plain.headers["Content-Security-Policy"]
    secure = client.get("/login", base_url="https://localhost.test")
    assert "max-age=" in secure.headers[STS]
    assert "default-src 'self'" in secure.headers["Content-Security-Policy"]


def test_hsts_behind_a_proxy_that_terminates_tls(proxied_app):
    client = proxied_app.test_client()
    assert STS in client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
    assert STS not in client.get("/login", headers={"X-Forwarded-Proto": "http"}).headers


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(client):
    assert STS not in client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers

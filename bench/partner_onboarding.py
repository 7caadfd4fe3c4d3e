"""How long a partner's system, built from xml_schemas/INTERFACE.md alone, takes to connect.

    .venv/bin/python bench/partner_onboarding.py [--runs N] [--sqlite-dir DIR] 2>/dev/null

Per run, from a clean database (a new SQLite file, migrated with the Alembic migrations and
the reference data loaded, our signing identity made, as tests/conftest.py does):

* MOE registers the partner (`flask partners add`, section 2.2 of the document) — MOE's step,
  printed apart;
* first accepted notification: the reference client (tests/exchange/reference_client.py)
  fetches JP-MOE's certificates and checks the fingerprint, builds, validates, signs and
  pushes its notification, and verifies JP-MOE's signed confirmation;
* the whole two-way case: a Japanese export the partner consents to and an export of its own
  into Japan, each with every message of the document (the scenarios of
  tests/exchange/test_reference_partner.py, MOE's and the facility's steps included);
* bare baseline: as many GETs of /exchange/v1/certificate through the same transport as the
  case made HTTP requests — what the requests cost with no message work at all.

The client talks to the app through Flask's WSGI test client (no sockets), one request at a
time. This is machine time: a developer's time to read the document is not measured. Nothing
is asserted on timings; the scenarios assert the case went as the document says.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class CountingTransport:
    """The reference client's transport, counting HTTP requests."""

    def __init__(self, inner):
        self.inner, self.requests = inner, 0

    def get(self, path: str, headers: dict):
        self.requests += 1
        return self.inner.get(path, headers)

    def post(self, path: str, body: bytes, headers: dict):
        self.requests += 1
        return self.inner.post(path, body, headers)


def clean_app(folder: Path):
    from tests.conftest import _make_app

    return _make_app(f"sqlite:///{folder / 'onboarding.db'}", folder)


def one_run(folder: Path) -> dict[str, float | int]:
    from datetime import timedelta

    from app.timeutil import today_in_japan
    from tests.exchange import test_reference_partner as scenarios
    from tests.exchange.partner_setup import registered_by_moe

    started = time.perf_counter()
    app = clean_app(folder)
    figures: dict[str, float | int] = {"database": time.perf_counter() - started}
    with app.app_context():
        client = app.test_client()
        started = time.perf_counter()
        canada, fingerprint = registered_by_moe(app, client, folder)
        figures["registration"] = time.perf_counter() - started
        canada.transport = transport = CountingTransport(canada.transport)

        started, cpu = time.perf_counter(), time.process_time()
        canada.trust_japan(fingerprint)  # the partner's first step
        first = canada.send(canada.notification(
            "CA2026000999", facility=scenarios.KANTO, shipments=1, quantity="5",
            first=today_in_japan() + timedelta(days=1)))
        figures["first_accepted"] = time.perf_counter() - started
        figures["first_cpu"] = time.process_time() - cpu
        assert (first.status, first.text("Status")) == (200, "accepted"), first.codes()
        figures["first_messages"], figures["first_requests"] = (len(canada.traffic),
                                                                transport.requests)

        scenarios.japanese_export(canada)
        scenarios.export_into_japan(canada)
        figures["two_way"] = time.perf_counter() - started
        figures["two_way_cpu"] = time.process_time() - cpu
        figures["messages"], figures["requests"] = len(canada.traffic), transport.requests
        figures["types"] = len(canada.used)
        figures["bare"] = bare_requests(client, transport.requests)
    return figures


def bare_requests(client, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        assert client.get("/exchange/v1/certificate").status_code == 200
    return time.perf_counter() - started


def report(runs: list[dict[str, float | int]]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    last = runs[-1]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"partner onboarding, {len(runs)} run(s), SQLite, WSGI test client, medians "
          f"(load average {load} on {os.cpu_count()} CPUs; CPU = this process's CPU time)")
    print(f"  clean database (migrate + reference data)  {median('database'):8.2f} s")
    print(f"  MOE registers the partner (CLI)            {median('registration'):8.2f} s")
    print(f"  certificate fetched -> first notification accepted  "
          f"{median('first_accepted'):8.3f} s wall, {median('first_cpu'):.3f} s CPU  "
          f"({last['first_messages']} messages, "
          f"{last['first_requests']} HTTP requests)")
    print(f"  certificate fetched -> whole two-way case done      "
          f"{median('two_way'):8.3f} s wall, {median('two_way_cpu'):.3f} s CPU  "
          f"({last['messages']} messages of {last['types']} "
          f"types, {last['requests']} HTTP requests)")
    print(f"  bare baseline: {last['requests']} GET /exchange/v1/certificate          "
          f"{median('bare'):8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-dir", type=Path, default=None)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.sqlite_dir) as folder:
            runs.append(one_run(Path(folder)))
    report(runs)


if __name__ == "__main__":
    main()

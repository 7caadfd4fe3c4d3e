"""Partners' first messages to a fresh worker arrive together: the worker compiles the message
schemas on first use, from whichever request threads need them at that moment. Each case runs
in a new process, where nothing is compiled yet, as in a worker that has just started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: two threads meet at a barrier, then each validates every example message, starting from a
#: different one: what two request threads do with two partners' first messages
FIRST_MESSAGES = """
import sys, threading
from lxml import etree
from app.exchange import schemas

roots = [etree.parse(str(p)).getroot()
         for p in sorted((schemas.SCHEMA_DIR / "examples").glob("*.xml"))]
start = threading.Barrier(2)
answers = []

def requests(first):
    start.wait()
    for root in roots[first:] + roots[:first]:
        try:
            answers.append(schemas.validate(root))
        except Exception as exc:
            answers.append([f"{type(exc).__name__}: {exc}"])

threads = [threading.Thread(target=requests, args=(k * len(roots) // 2,)) for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
problems = [answer for answer in answers if answer]
print(f"{len(answers)} validated, problems: {problems[:1]}")
sys.exit(1 if problems or len(answers) != 2 * len(roots) else 0)
"""

#: fresh processes: the race is in the first compilations of each process only, and about one
#: process in ten lost it; with the compilations not serialised, 4 of 4 runs of this test
#: failed (checked)
PROCESSES = 24


def test_two_partners_first_messages_at_once_are_both_validated():
    for attempt in range(PROCESSES):
        done = subprocess.run([sys.executable, "-c", FIRST_MESSAGES], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (attempt, done.stdout, done.stderr[-2000:])

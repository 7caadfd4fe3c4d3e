"""The audit trail's MAC keys: HMAC-SHA256 (Python's `hmac`) with keys kept outside the database.

`AUDIT_MAC_KEYS` holds `id:hexkey` pairs separated by commas, the current key first:
`"k2027:9f…,k2026:3c…"`. New audit events and checkpoints are MACed with the first key and
carry its id; every listed key verifies the rows that name it. A key is rotated by putting a
new one first and keeping the old ones listed for as long as rows MACed with them must verify
(in practice: for good). Production must set it; development and tests generate one under
instance/, as they do the session key.

Anyone with write access to the database can recompute the SHA-256 chain after changing an
event, but not these MACs: the key never enters the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

#: what a MAC is over, so that an event's MAC can never pass for a checkpoint's and vice versa
EVENT = b"jp-eproc audit event v1\n"
CHECKPOINT = b"jp-eproc audit checkpoint v1\n"

KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")
MIN_KEY_BYTES = 32  # HMAC-SHA256's block of security: 256-bit keys


class AuditKeyError(RuntimeError):
    """AUDIT_MAC_KEYS is missing or malformed."""


@dataclass(frozen=True)
class Keyring:
    #: id of the key that MACs new rows
    current_id: str
    keys: dict[str, bytes]

    def sign(self, domain: bytes, message: str) -> tuple[str, str]:
        """(key id, MAC hex) of `message` under the current key."""
        return self.current_id, _mac(self.keys[self.current_id], domain, message)

    def verify(self, domain: bytes, message: str, key_id: str, mac: str) -> bool:
        """Whether `mac` is the MAC of `message` under key `key_id` (which must be known)."""
        return hmac.compare_digest(_mac(self.keys[key_id], domain, message), mac)

    def knows(self, key_id: str | None) -> bool:
        return key_id in self.keys


def _mac(key: bytes, domain: bytes, message: str) -> str:
    return hmac.new(key, domain + message.encode(), hashlib.sha256).hexdigest()


def keyring() -> Keyring:
    """The keys of the current app (parsed once per distinct setting: no work per event)."""
    spec = current_app.config.get("AUDIT_MAC_KEYS")
    if not spec:
        raise AuditKeyError("AUDIT_MAC_KEYS is not set: production needs it "
                            "(id:hexkey pairs, the current key first)")
    return parse_keys(spec)


@lru_cache(maxsize=8)
def parse_keys(spec: str) -> Keyring:
    """`"id:hexkey,id:hexkey"` → Keyring; AuditKeyError says what is wrong (never the key)."""
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(spec.split(","), start=1):
        key_id, _, hexkey = entry.strip().partition(":")
        if not KEY_ID.fullmatch(key_id):
            raise AuditKeyError(f"AUDIT_MAC_KEYS entry {position}: the id must be 1-16 of "
                                "A-Z a-z 0-9 _ . -")
        if key_id in keys:
            raise AuditKeyError(f"AUDIT_MAC_KEYS: key id {key_id} is listed twice")
        keys[key_id] = _key_bytes(key_id, hexkey.strip())
    return Keyring(current_id=next(iter(keys)), keys=keys)


def _key_bytes(key_id: str, hexkey: str) -> bytes:
    try:
        key = bytes.fromhex(hexkey)
    except ValueError:
        raise AuditKeyError(f"AUDIT_MAC_KEYS key {key_id} is not hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyError(f"AUDIT_MAC_KEYS key {key_id} is shorter than "
                            f"{MIN_KEY_BYTES} bytes ({2 * MIN_KEY_BYTES} hex digits)")
    return key


def new_key_entry(key_id: str) -> str:
    """A fresh `id:hexkey` entry (256 bits from `secrets`); AuditKeyError for a bad id."""
    entry = f"{key_id}:{secrets.token_hex(MIN_KEY_BYTES)}"
    parse_keys(entry)
    return entry

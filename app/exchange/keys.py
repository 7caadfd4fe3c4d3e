"""Our signing identity for the exchange: an RSA key and its X.509 certificate, as PEM bytes.

Production: `EXCHANGE_KEY_PATH` and `EXCHANGE_CERT_PATH` (app config, else environment) name PEM
files issued through the proper channel; nothing is ever generated there. Development: a
self-signed identity is generated once under `<instance>/exchange/` (mode 0600) and reused.
All key and certificate work is done by `cryptography`.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask

from app.timeutil import utcnow

DEVELOPMENT_COMMON_NAME = "JP-MOE e-procedure exchange (development)"
DEVELOPMENT_VALIDITY = timedelta(days=730)
DEVELOPMENT_KEY_BITS = 3072


class ExchangeKeyError(RuntimeError):
    """Our signing identity is missing or unusable."""


def our_key_pair(app: Flask) -> tuple[bytes, bytes]:
    """(key_pem, cert_pem) we sign outgoing messages with."""
    key_path, cert_path = _setting(app, "EXCHANGE_KEY_PATH"), _setting(app, "EXCHANGE_CERT_PATH")
    if key_path and cert_path:
        return _load_pair(Path(key_path), Path(cert_path))
    if key_path or cert_path:
        raise ExchangeKeyError("set both EXCHANGE_KEY_PATH and EXCHANGE_CERT_PATH, or neither")
    if _setting(app, "APP_ENV") == "production":
        raise ExchangeKeyError(
            "production needs EXCHANGE_KEY_PATH and EXCHANGE_CERT_PATH "
            "(PEM files); no signing key is generated in production"
        )
    return _development_pair(Path(app.instance_path) / "exchange")


def published_certificates(app: Flask) -> list[bytes]:
    """The certificates partners should accept from us: the one we sign with now, first, then
    those announced in `EXCHANGE_ANNOUNCED_CERT_PATHS` (PEM files separated by the path
    separator): the next one before a key rotation, the previous one while messages it signed
    may still be in flight."""
    _key_pem, current = our_key_pair(app)
    found = [current]
    for name in filter(None, (_setting(app, "EXCHANGE_ANNOUNCED_CERT_PATHS") or "")
                       .split(os.pathsep)):
        try:
            pem = Path(name).read_bytes()
            x509.load_pem_x509_certificate(pem)
        except (OSError, ValueError) as exc:
            raise ExchangeKeyError(f"cannot load announced certificate {name}: {exc}") from exc
        if pem.strip() not in {p.strip() for p in found}:
            found.append(pem)
    return found


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 over the certificate's DER bytes, lower-case hex (what partners compare)."""
    certificate = x509.load_pem_x509_certificate(cert_pem)
    return certificate.fingerprint(hashes.SHA256()).hex()


def make_test_identity(
    common_name: str, valid_from: datetime, valid_to: datetime, *, key_bits: int = 2048
) -> tuple[bytes, bytes]:
    """A fresh RSA key and a self-signed certificate: FOR TESTS AND THE PARTNER SIMULATOR ONLY.

    Never use it for a production identity: the key is unprotected and nobody vouches for the
    certificate. `valid_from`/`valid_to` must be aware datetimes.
    """
    return _self_signed(common_name, valid_from, valid_to, key_bits)


def _self_signed(
    common_name: str, valid_from: datetime, valid_to: datetime, key_bits: int
) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def _setting(app: Flask, name: str) -> str | None:
    return app.config.get(name) or os.environ.get(name) or None


def _load_pair(key_path: Path, cert_path: Path) -> tuple[bytes, bytes]:
    """The files' contents, read and checked again only when a file changes (key rotation
    takes effect without a restart; ordinary messages do not pay for loading the key)."""
    try:
        stamp = (key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
    except OSError as exc:
        raise ExchangeKeyError(f"cannot load the exchange key pair: {exc}") from exc
    return _load_pair_at(key_path, cert_path, stamp)


@lru_cache(maxsize=8)
def _load_pair_at(key_path: Path, cert_path: Path, _stamp: tuple[int, int]) -> tuple[bytes, bytes]:
    try:
        key_pem, cert_pem = key_path.read_bytes(), cert_path.read_bytes()
        key = serialization.load_pem_private_key(key_pem, password=None)
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except (OSError, ValueError, TypeError) as exc:
        raise ExchangeKeyError(f"cannot load the exchange key pair: {exc}") from exc
    if key.public_key() != certificate.public_key():
        raise ExchangeKeyError(f"{key_path} is not the key of {cert_path}")
    return key_pem, cert_pem


def _development_pair(directory: Path) -> tuple[bytes, bytes]:
    """Generate once, reuse afterwards; regenerated only when the certificate has expired.
    A lock file keeps two processes starting together from writing mismatched halves."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path, cert_path = directory / "signing-key.pem", directory / "signing-cert.pem"
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _usable(key_path, cert_path):
            now = utcnow()
            key_pem, cert_pem = _self_signed(
                DEVELOPMENT_COMMON_NAME, now, now + DEVELOPMENT_VALIDITY, DEVELOPMENT_KEY_BITS
            )
            _write_private(key_path, key_pem)
            _write_private(cert_path, cert_pem)
    return _load_pair(key_path, cert_path)


def _usable(key_path: Path, cert_path: Path) -> bool:
    if not (key_path.exists() and cert_path.exists()):
        return False
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return certificate.not_valid_after_utc > utcnow()


def _write_private(path: Path, content: bytes) -> None:
    """Written to a 0600 temporary file first, then renamed: never readable by others."""
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.replace(temporary, path)

"""Encrypted backup files: a passphrase, scrypt, and AES-256-GCM (the `cryptography` library).

A backup holds everything in the database, password hashes and e-mail addresses included
(README, Backups), so one kept off the server should be encrypted:
`./pmo.sh backup --encrypt` and `./pmo.sh restore FILE` (which recognises an encrypted file).

Layout: MAGIC, a random 16-byte salt, a random 8-byte nonce prefix, then chunks of at most
CHUNK bytes, each `length (4 bytes) + AES-GCM ciphertext`. Chunk i uses the nonce
`prefix + i` and authenticates the header, its index and whether it is the last chunk, so a
file cut short, reordered or altered is refused, never restored half.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"PMOENC1\n"
CHUNK = 1 << 20
MIN_PASSPHRASE = 12


class DecryptionFailed(ValueError):
    """Wrong passphrase, or a damaged or cut file."""


def _key(passphrase: str, salt: bytes) -> bytes:
    # scrypt at the cost its authors recommend for interactive use (about 0.1 s, 32 MiB).
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def is_encrypted(path: str | Path) -> bool:
    with Path(path).open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def encrypt_file(source: str | Path, target: str | Path, passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"use a passphrase of at least {MIN_PASSPHRASE} characters")
    salt, prefix = os.urandom(16), os.urandom(8)
    header = MAGIC + salt + prefix
    cipher = AESGCM(_key(passphrase, salt))
    with Path(source).open("rb") as src, Path(target).open("wb") as out:
        out.write(header)
        index, chunk = 0, src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            sealed = cipher.encrypt(
                prefix + struct.pack(">I", index), chunk, _aad(header, index, last)
            )
            out.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                return
            index, chunk = index + 1, following


def decrypt_file(source: str | Path, target: str | Path, passphrase: str) -> None:
    with Path(source).open("rb") as src, Path(target).open("wb") as out:
        header = src.read(len(MAGIC) + 24)
        if not header.startswith(MAGIC) or len(header) != len(MAGIC) + 24:
            raise DecryptionFailed("not an encrypted backup")
        salt, prefix = header[len(MAGIC) : len(MAGIC) + 16], header[len(MAGIC) + 16 :]
        cipher = AESGCM(_key(passphrase, salt))
        index = 0
        while True:
            size = src.read(4)
            if len(size) != 4:
                raise DecryptionFailed("the file is cut short")
            sealed = src.read(struct.unpack(">I", size)[0])
            nonce = prefix + struct.pack(">I", index)
            last = not src.peek(1)
            try:
                out.write(cipher.decrypt(nonce, sealed, _aad(header, index, last)))
            except InvalidTag:
                raise DecryptionFailed(
                    "wrong passphrase, or the file is damaged" if index == 0 else "damaged file"
                ) from None
            if last:
                return
            index += 1


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)

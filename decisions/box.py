"""The cryptography of the sealed ballot box, and nothing else: keys, shares, cards, papers.

Everything here is libsodium (PyNaCl) and PyCryptodome's Shamir secret sharing; nothing is a
primitive of our own. The services (``services/box.py``) decide when each step happens and what is
stored; this module never touches the database.

- **The box key.** At opening the server draws a 16-byte box secret, derives the box's X25519 key
  pair from it (BLAKE2b, personalised), keeps the public key and splits the secret into *n*
  Shamir shares, any *k* of which give it back. The secret and the private key are then dropped.
- **Cards.** Each scrutineer holds a card: a 16-byte card secret, shown to them once as a code of
  28 characters (and a QR code). Its X25519 key pair is derived from it; the server stores only the
  public key, and seals the scrutineer's share to it (a libsodium sealed box). The code's last two
  characters are a check keyed by the ballot, so a mistyped code or another ballot's card is told
  apart from a right one before anything is tried.
- **Papers.** A secret paper is canonical JSON in UTF-8, padded with spaces to the ballot's fixed size and
  sealed to the box's public key: every paper of a ballot has the same length, whatever was chosen.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox

SECRET_BYTES = 16  # what PyCryptodome's Shamir splits; 128 bits
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by elderly people
CODE_BODY = 26  # 26 characters of 5 bits hold the 128-bit card secret
CODE_CHECK = 2
PAPER_BLOCK = 64


class BoxError(Exception):
    """A card code, a share or a paper that cannot be used; ``code`` says which (for the message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _derive(secret: bytes, person: bytes) -> PrivateKey:
    return PrivateKey(blake2b(secret, digest_size=32, person=person, encoder=RawEncoder))


# --- The box key --------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewBox:
    public_key: str  # hex
    shares: list[bytes]  # share i (1-based index in its first byte), for scrutineer i


def box_new(threshold: int, holders: int) -> NewBox:
    """A fresh box key split into ``holders`` shares, any ``threshold`` of which open it."""
    if not 1 <= threshold <= holders:
        raise ValueError("threshold must be between 1 and the number of holders")
    secret = secrets.token_bytes(SECRET_BYTES)
    public = _derive(secret, b"sanhui-box").public_key.encode().hex()
    if threshold == 1:
        # Shamir with k = 1 is the secret itself; written so, not through the polynomial code.
        shares = [bytes([i]) + secret for i in range(1, holders + 1)]
    else:
        shares = [bytes([index]) + share for index, share in Shamir.split(threshold, holders, secret)]
    return NewBox(public, shares)


def box_private_key(shares: list[bytes], threshold: int, public_key: str) -> PrivateKey:
    """Combine ``threshold`` shares (or more) into the box's private key; BoxError if they do not open it."""
    distinct = {share[0]: share for share in shares}
    if len(distinct) < threshold:
        raise BoxError("too_few_shares")
    chosen = sorted(distinct.items())[:threshold]
    # With k = 1 every share is the secret itself (see box_new).
    secret = chosen[0][1][1:] if threshold == 1 else Shamir.combine([(i, share[1:]) for i, share in chosen])
    key = _derive(secret, b"sanhui-box")
    if key.public_key.encode().hex() != public_key:
        raise BoxError("shares_do_not_open")
    return key


# --- Cards ----------------------------------------------------------------------------------------

def _check(secret: bytes, ballot_id: int) -> int:
    digest = blake2b(secret, digest_size=2, key=f"sanhui-card:{ballot_id}".encode(), encoder=RawEncoder)
    return int.from_bytes(digest, "big") & 0x3FF


def _encode(number: int, length: int) -> str:
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(length)))


def card_new(ballot_id: int) -> tuple[str, str]:
    """A new card for ``ballot_id``: (the code shown once to its holder, the public key to store)."""
    secret = secrets.token_bytes(SECRET_BYTES)
    body = _encode(int.from_bytes(secret, "big"), CODE_BODY)
    raw = body + _encode(_check(secret, ballot_id), CODE_CHECK)
    code = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return code, _derive(secret, b"sanhui-card").public_key.encode().hex()


def card_key(code: str, ballot_id: int) -> PrivateKey:
    """The card's private key from its code; BoxError("malformed") or ("wrong_ballot") if it cannot be."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(text) != CODE_BODY + CODE_CHECK or any(ch not in ALPHABET for ch in text):
        raise BoxError("malformed")
    number = 0
    for ch in text[:CODE_BODY]:
        number = number * 32 + ALPHABET.index(ch)
    if number >> (8 * SECRET_BYTES):
        raise BoxError("malformed")
    secret = number.to_bytes(SECRET_BYTES, "big")
    check = 0
    for ch in text[CODE_BODY:]:
        check = check * 32 + ALPHABET.index(ch)
    if check != _check(secret, ballot_id):
        raise BoxError("wrong_ballot")
    return _derive(secret, b"sanhui-card")


def seal_to(public_key_hex: str, data: bytes) -> bytes:
    return SealedBox(PublicKey(bytes.fromhex(public_key_hex))).encrypt(data)


def unseal(private_key: PrivateKey, sealed: bytes) -> bytes:
    try:
        return SealedBox(private_key).decrypt(bytes(sealed))
    except CryptoError:
        raise BoxError("does_not_open") from None


# --- Papers -------------------------------------------------------------------------------------------

def paper_size(option_ids: list[int], extra_bytes: int = 0) -> int:
    """The plaintext length of every paper of a ballot with these options (a multiple of 64 bytes).

    Enough for every option chosen at once, the largest floor area and ``extra_bytes`` of what a
    subject adds (an evaluation sheet's comments), measured as ``paper_text`` writes it.
    """
    widest = len(paper_text(sorted(option_ids), "99999999.99", None)) + extra_bytes
    return PAPER_BLOCK * (widest // PAPER_BLOCK + 1)


def paper_text(option_ids: list[int], area: str | None, extra) -> bytes:
    """A paper's plaintext: canonical JSON in UTF-8 (a Chinese character takes 3 bytes, not 6 as \\uXXXX)."""
    return json.dumps({"o": sorted(option_ids), "a": area, "x": extra}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def paper_seal(public_key_hex: str, size: int, option_ids: list[int], area: str | None = None,
               extra=None) -> bytes:
    """Seal one paper to the box: the same length for every paper of the ballot (``size``)."""
    text = paper_text(option_ids, area, extra)
    if len(text) > size:
        raise BoxError("paper_too_large")
    return seal_to(public_key_hex, text.ljust(size, b" "))


@dataclass(frozen=True)
class Paper:
    options: list[int]
    area: str | None
    extra: object


def paper_open(private_key: PrivateKey, sealed: bytes) -> Paper:
    data = json.loads(unseal(private_key, sealed).decode("utf-8"))
    options = data.get("o")
    if not isinstance(options, list) or not all(isinstance(o, int) for o in options):
        raise BoxError("malformed_paper")
    return Paper(options, data.get("a"), data.get("x"))


def digest(sealed: bytes) -> str:
    """The sealed paper's hash: what the receipt commits to and the box list publishes."""
    return hashlib.sha256(bytes(sealed)).hexdigest()


def receipt_of(paper_digest: str) -> str:
    """A receipt like K7QX-3MPA-9RTW: the first 60 bits of the sealed paper's hash."""
    raw = _encode(int(paper_digest[:15], 16), 12)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

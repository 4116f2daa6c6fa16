"""Read what a checker needs from an RFC 3161 time-stamp token, with the standard library only.

A token is DER: ContentInfo { signedData, [0] SignedData { version, digestAlgorithms,
encapContentInfo { id-ct-TSTInfo, [0] OCTET STRING TSTInfo }, ... } }, and TSTInfo is
{ version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, ... }.
This reads the message imprint and the time; it does not check the authority's signature
(``openssl_verify`` asks the openssl program to, when a root certificate is given).
"""

import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SHA256_OID = "2.16.840.1.101.3.4.2.1"
SIGNED_DATA_OID = "1.2.840.113549.1.7.2"
TST_INFO_OID = "1.2.840.113549.1.9.16.1.4"


class Unreadable(ValueError):
    """The bytes are not a time-stamp token this reader understands."""


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of the content, end of the content) of the DER element at ``pos``."""
    if pos + 2 > len(data):
        raise Unreadable("truncated")
    tag, length, pos = data[pos], data[pos + 1], pos + 2
    if tag & 0x1F == 0x1F:
        raise Unreadable("long tags are not used in a time-stamp token")
    if length & 0x80:
        size = length & 0x7F
        if not 0 < size <= 4 or pos + size > len(data):
            raise Unreadable("bad length")
        length, pos = int.from_bytes(data[pos:pos + size], "big"), pos + size
    if pos + length > len(data):
        raise Unreadable("truncated")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    items, pos = [], start
    while pos < end:
        tag, begin, stop = _tlv(data, pos)
        items.append((tag, begin, stop))
        pos = stop
    return items


def _oid(raw: bytes) -> str:
    first, rest = divmod(raw[0], 40) if raw[0] < 80 else (2, raw[0] - 80)
    parts, value = [first, rest], 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def _expect(item: tuple[int, int, int], tag: int, what: str) -> tuple[int, int, int]:
    if item[0] != tag:
        raise Unreadable(f"expected {what}")
    return item


def read(token: bytes) -> tuple[str, bytes, datetime]:
    """(hash algorithm OID, hashed message, generation time in UTC) of a DER TimeStampToken."""
    try:
        _tag, start, end = _expect(_tlv(token, 0), 0x30, "ContentInfo")
        content = _children(token, start, end)
        if _oid(token[content[0][1]:content[0][2]]) != SIGNED_DATA_OID:
            raise Unreadable("not SignedData")
        _tag, start, end = _expect(content[1], 0xA0, "[0]")
        _tag, start, end = _expect(_tlv(token, start), 0x30, "SignedData")
        signed = _children(token, start, end)
        _tag, start, end = _expect(signed[2], 0x30, "encapContentInfo")
        encap = _children(token, start, end)
        if _oid(token[encap[0][1]:encap[0][2]]) != TST_INFO_OID:
            raise Unreadable("not TSTInfo")
        _tag, start, end = _expect(encap[1], 0xA0, "[0]")
        _tag, start, end = _expect(_tlv(token, start), 0x04, "OCTET STRING")
        _tag, start, end = _expect(_tlv(token, start), 0x30, "TSTInfo")
        info = _children(token, start, end)
        _tag, start, end = _expect(info[2], 0x30, "messageImprint")
        imprint = _children(token, start, end)
        _tag, a_start, a_end = _expect(imprint[0], 0x30, "AlgorithmIdentifier")
        algorithm = _children(token, a_start, a_end)[0]
        hashed = token[imprint[1][1]:imprint[1][2]]
        _tag, start, end = _expect(info[4], 0x18, "genTime")
        return _oid(token[algorithm[1]:algorithm[2]]), hashed, _generalized_time(token[start:end].decode())
    except (IndexError, UnicodeDecodeError) as exc:
        raise Unreadable(str(exc)) from None


def _generalized_time(text: str) -> datetime:
    """``20261207161331Z`` or ``20261207161331.25Z`` in UTC."""
    if not text.endswith("Z"):
        raise Unreadable("genTime is not in UTC")
    whole, _dot, fraction = text[:-1].partition(".")
    try:
        moment = datetime.strptime(whole, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise Unreadable("bad genTime") from None
    if fraction:
        moment = moment.replace(microsecond=int((fraction + "000000")[:6]))
    return moment


def openssl_verify(token: bytes, imprint_hex: str, root: Path) -> str | None:
    """Ask the openssl program whether ``token`` is signed by an authority under ``root`` over the
    imprint: None when it is, else what openssl said (or that it is not installed)."""
    program = shutil.which("openssl")
    if program is None:
        return "openssl is not installed"
    with tempfile.NamedTemporaryFile(suffix=".tst") as file:
        file.write(token)
        file.flush()
        done = subprocess.run([program,  # noqa: S603 (a fixed program, arguments never run by a shell) "ts", "-verify", "-digest", imprint_hex, "-in", file.name, "-token_in",
                               "-CAfile", str(root)], capture_output=True, text=True, check=False)
    if done.returncode == 0 and "OK" in done.stdout:
        return None
    return (done.stdout + done.stderr).strip().splitlines()[-1] if (done.stdout + done.stderr).strip() else "refused"

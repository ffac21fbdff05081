"""The text encoding of a CSV file: decided, never guessed silently wrong (data-contract
"General conventions": UTF-8 with or without BOM, UTF-16 and UTF-32 with BOM, Windows-1252).

A byte-order mark decides; else the mapping profile's ``csv.encoding`` (a profile that says
Windows-1252 for a file that is valid UTF-8 with accented letters is refused: every name would be
garbled); else UTF-8 when the whole file is valid UTF-8, Windows-1252 when no line holds a UTF-8
character, UTF-8 with its invalid lines reported (``encoding``, one record each) when the lines
holding UTF-8 characters outnumber them, and a file-level error otherwise. A file more than 10 %
NUL bytes without a byte-order mark is UTF-16/32 without its BOM: refused.

The result is UTF-8 with LF line ends (CRLF and CR read as LF), the invalid bytes and NUL bytes
replaced by U+FFFD, and the 1-based numbers of the lines that held them.
"""

from __future__ import annotations

import codecs

from pipeline.errors import InputError

BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
"""Byte-order marks, longest first: (mark, codec of the bytes after it, label in the dialect)."""
SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_15"}

_MARK = "\ufdd0"
"""Put where bytes are not valid in the encoding: a Unicode noncharacter reserved for internal use."""


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    return _MARK, exc.end  # type: ignore[attr-defined]


codecs.register_error("payroll-mark", _mark_invalid)


def choose(data: bytes, file: str, forced: str | None) -> tuple[bytes, str | None, str | None]:
    """(bytes after any BOM, codec or None for "decide", label in the dialect) of a file's bytes."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            return data[len(bom) :], codec, label
    if forced and forced != "auto":
        try:
            codec = codecs.lookup(forced).name
        except LookupError:
            raise InputError(f"{file}: unknown encoding {forced!r} in the mapping profile (csv.encoding)") from None
        return data, codec, forced
    if b"\x00" in data and data.count(b"\x00") * 10 > len(data):
        raise InputError(
            f"{file}: looks like UTF-16 or UTF-32 without a byte-order mark; re-export it as UTF-8 (or with a BOM)"
        )
    return data, None, None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def newline_bytes(data: bytes) -> bytes:
    """LF line ends, for a byte encoding where CR and LF are single ASCII bytes (UTF-8, Windows-1252)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


def _bad_lines(text: str) -> list[int]:
    """1-based numbers of the lines of ``text`` (LF line ends) holding an invalid-byte mark or a NUL."""
    found: set[int] = set()
    for char in (_MARK, "\x00"):
        line, last, pos = 1, 0, text.find(char)
        while pos != -1:
            line += text.count("\n", last, pos)
            found.add(line)
            end = text.find("\n", pos)
            if end == -1:
                break
            line, last, pos = line + 1, end + 1, text.find(char, end + 1)
    return sorted(found)


# Byte classes: a UTF-8 lead byte of a multibyte character, a continuation byte, anything else.
_CLASSES = bytes((ord("L") if 0xC2 <= b <= 0xF4 else ord("C") if 0x80 <= b <= 0xBF else ord(".")) for b in range(256))


def _utf8_or_cp1252(body: bytes, file: str) -> str:
    """The codec of a file that is not valid UTF-8 (LF line ends): Windows-1252 when no line holds
    a UTF-8 character, UTF-8 (its invalid lines to be rejected) when lines holding UTF-8
    characters outnumber the invalid ones, else a file-level error.

    Only a file with both kinds of bytes is looked at line by line (the usual Windows-1252 export
    has no byte pair that could start a UTF-8 character, and is decided by one byte translation)."""
    if b"LC" not in body.translate(_CLASSES):
        return "cp1252"
    utf8 = invalid = 0
    first = None
    for number, line in enumerate(body.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            invalid += 1
            first = first or number
    if utf8 > invalid:
        return "utf-8"
    if utf8 == 0:
        return "cp1252"
    raise InputError(
        f"{file}: mixes UTF-8 and Windows-1252 text (line {first} is not UTF-8, other lines are): the encoding "
        "cannot be decided; re-export the whole file in one encoding"
    )


def decode(body: bytes, codec: str | None, label: str | None, file: str) -> tuple[bytes, str, list[int]]:
    """Decode ``body`` in Python (``codec`` None: decide between UTF-8 and Windows-1252) into
    (UTF-8 bytes with LF line ends, encoding label, lines that held invalid or NUL bytes)."""
    if codec in (None, "utf-8") or codec in SINGLE_BYTE:
        body = newline_bytes(body)
    if codec in SINGLE_BYTE:
        try:
            utf8_text = body.decode("utf-8")
        except UnicodeDecodeError:
            utf8_text = None
        if utf8_text is not None and not utf8_text.isascii():
            raise InputError(
                f"{file}: the mapping profile says {label}, but the file is UTF-8 (its accented letters would be "
                "garbled); set csv.encoding to auto or utf-8"
            )
    if codec is None:
        try:
            body.decode("utf-8")
            codec = "utf-8"  # valid UTF-8 (here for its NUL bytes)
        except UnicodeDecodeError:
            codec = _utf8_or_cp1252(body, file)
            label = "cp1252" if codec == "cp1252" else None
    text = _newlines(body.decode(codec, errors="payroll-mark"))
    bad = _bad_lines(text) if (_MARK in text or "\x00" in text) else []
    if bad:
        text = text.replace(_MARK, "\ufffd").replace("\x00", "\ufffd")
    return text.encode("utf-8"), label or "utf-8", bad

"""Reading article files: every way a file can be unfit gets a clear ``InputError``."""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import InputError

DEFAULT_MAX_BYTES = 2_000_000  # ~300k words: far beyond any article; larger is refused, never cut


def decode_article(data: bytes, name: str, encoding: str = "utf-8") -> str:
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    normalised = encoding.lower().replace("_", "-")
    if not normalised.startswith(("utf-16", "utf16", "utf-32", "utf32")):  # wide encodings are full of NULs
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputError(f"{name}: looks like UTF-16 text (byte-order mark); pass --encoding utf-16")
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like a binary file (NUL bytes); expected plain text")
    codec = "utf-8-sig" if normalised in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}: not valid {encoding} at byte {exc.start} (line {line}); "
            f"convert the file to UTF-8 or pass --encoding (e.g. --encoding cp1252)"
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding '{encoding}'") from None
    if not text.strip():
        raise InputError(f"{name}: file has no text")
    return text


def check_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse, never truncate, what is larger than an article can be (a file or stdin)."""
    if size > max_bytes:
        raise InputError(
            f"{name}: {size:,} bytes is over the limit of {max_bytes:,} bytes for one article; "
            f"split it or raise --max-bytes (nothing was checked)"
        )


def read_article(path: str, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{path}: is a directory; pass article files")
        check_size(path, p.stat().st_size, max_bytes)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_article(data, path, encoding)

"""The articles of a batch run, as records: ``{id, path, markup, text, error, content_hash}``.

Inputs are what ``check`` takes (files, folders, globs; the id is the path) and archives: JSONL
(one ``{"id", "text", "path"?}`` object a line) or Parquet (columns ``id``, ``text`` and optionally
``path``). A record that cannot be checked (bad JSON, no id, text missing, empty or binary) keeps
its error and is written out with it; the run goes on. The content hash (markup and text) and the
settings signature are what a re-run compares to skip the articles already done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from ..api import article_input
from ..errors import CoherenceError, InputError
from ..reading import read_article
from ..settings import Settings
from ..sources import collect_sources

ARCHIVE_SUFFIXES = (".jsonl", ".parquet")
PARQUET_BATCH = 1024


def content_hash(markup: str, text: str) -> str:
    digest = hashlib.sha256()
    for part in (markup, text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def settings_hash(settings: Settings) -> str:
    from ..cache import settings_signature

    return hashlib.sha256(settings_signature(settings).encode("utf-8")).hexdigest()[:16]


def record(article_id: str, text, path: str | None, settings: Settings, error: str | None = None) -> dict:
    """One record; ``error`` (or text that cannot be checked) makes it a record that is only written out."""
    name = path or article_id
    if error is None and not isinstance(text, str):
        error = f"{name}: 'text' is required" if text is None else f"{name}: 'text' must be a string"
    if error is None:
        checked = article_input(text, name, None, settings.max_bytes)
        error, markup = checked.error, checked.markup
    else:
        markup = "text"
    hashed = text if isinstance(text, str) else f"error: {error}"
    return {"id": article_id, "path": name, "markup": markup, "text": text if error is None else None,
            "error": error, "content_hash": content_hash(markup, hashed)}


def is_archive(argument: str) -> bool:
    return argument.lower().endswith(ARCHIVE_SUFFIXES) and Path(argument).is_file()


def _from_object(data, where: str, settings: Settings) -> dict:
    if not isinstance(data, dict):
        return record(where, None, None, settings, f"{where}: expected a JSON object {{id, text, path?}}")
    article_id = data.get("id")
    if article_id is None or isinstance(article_id, (dict, list, bool)) or str(article_id) == "":
        return record(where, None, None, settings, f"{where}: 'id' is required (a string or a number)")
    path = data.get("path")
    if path is not None and not isinstance(path, str):
        return record(str(article_id), None, None, settings, f"{where}: 'path' must be a string")
    return record(str(article_id), data.get("text"), path, settings)


def _jsonl(archive: str, settings: Settings) -> Iterator[dict]:
    try:
        handle = open(archive, encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise InputError(f"{archive}: cannot read ({exc.strerror or exc})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{archive}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield record(where, None, None, settings, f"{where}: not valid JSON ({exc.msg})")
                continue
            except UnicodeEncodeError:
                yield record(where, None, None, settings, f"{where}: not valid UTF-8")
                continue
            yield _from_object(data, where, settings)


def _parquet(archive: str, settings: Settings) -> Iterator[dict]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(archive)
    except (OSError, ValueError) as exc:
        raise InputError(f"{archive}: not a readable Parquet file ({exc})") from None
    names = set(table.schema_arrow.names)
    if not {"id", "text"} <= names:
        raise InputError(f"{archive}: a Parquet archive needs the columns 'id' and 'text' (it has "
                         f"{', '.join(sorted(names))})")
    columns = ["id", "text", *(["path"] if "path" in names else [])]
    row_number = 0
    for batch in table.iter_batches(batch_size=PARQUET_BATCH, columns=columns):
        for data in batch.to_pylist():
            row_number += 1
            yield _from_object(data, f"{archive}:row {row_number}", settings)


def read_records(arguments: list[str], settings: Settings) -> Iterator[dict]:
    """Every record of the inputs, in order. A missing or unreadable archive is an ``InputError``."""
    plain = []
    for argument in arguments:
        if is_archive(argument):
            yield from (_parquet if argument.lower().endswith(".parquet") else _jsonl)(argument, settings)
        else:
            plain.append(argument)
    for source in collect_sources(plain, settings.extensions, settings.exclude) if plain else []:
        try:
            if source.error:
                raise InputError(source.error)
            text = read_article(source.path, settings.encoding, settings.max_bytes)
        except CoherenceError as exc:
            yield record(source.path, None, source.path, settings, str(exc))
            continue
        yield record(source.path, text, source.path, settings)

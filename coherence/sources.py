"""What to check: files, directories, globs and ``-`` (stdin), expanded into article sources.

A directory is searched recursively for the configured extensions (``.txt``, ``.md``, ``.html`` by
default), skipping hidden folders and ``exclude`` patterns; a file named explicitly is always
checked, whatever its extension. A path that matches nothing is reported as that file's error, so
the other files of the run are still checked.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EXTENSIONS = (".txt", ".md", ".html")
STDIN = "-"


@dataclass(frozen=True)
class Source:
    path: str  # as reported: the path given or found, or --stdin-filename for stdin
    from_stdin: bool = False
    error: str | None = None  # the argument matched nothing readable


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    posix = Path(path).as_posix()
    return any(fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(Path(path).name, pattern) for pattern in exclude)


def _walk(directory: str, extensions: tuple[str, ...], exclude: tuple[str, ...]) -> list[str]:
    found = []
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and not _excluded(os.path.join(root, f), exclude))
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.lower().endswith(extensions) and not name.startswith(".") and not _excluded(path, exclude):
                found.append(path)
    return found


def collect_sources(
    arguments: tuple[str, ...] | list[str],
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
    exclude: tuple[str, ...] = (),
    stdin_filename: str | None = None,
) -> list[Source]:
    extensions = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    sources: list[Source] = []
    seen: set[str] = set()

    def add(source: Source) -> None:
        key = source.path if source.from_stdin else os.path.abspath(source.path)
        if key not in seen:
            seen.add(key)
            sources.append(source)

    for argument in arguments:
        if argument == STDIN:
            add(Source(stdin_filename or "<stdin>", from_stdin=True))
        elif os.path.isdir(argument):
            files = _walk(argument, extensions, exclude)
            if not files:
                add(Source(argument, error=f"{argument}: no {', '.join(extensions)} files in this directory"))
            for path in files:
                add(Source(path))
        elif os.path.exists(argument) or not glob.has_magic(argument):
            add(Source(argument))  # a missing plain path is reported when it is read
        else:
            matches = [m for m in sorted(glob.glob(argument, recursive=True)) if os.path.isfile(m)]
            matches = [m for m in matches if not _excluded(m, exclude)]
            if not matches:
                add(Source(argument, error=f"{argument}: the pattern matches no file"))
            for path in matches:
                add(Source(path))
    return sources


def read_stdin_bytes() -> bytes:
    return sys.stdin.buffer.read()

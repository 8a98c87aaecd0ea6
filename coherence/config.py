"""Configuration: defaults < config file < ``COHERENCE_*`` environment < command-line flags.

The config file is ``coherence.toml`` (or ``.coherence.toml``), or the ``[tool.coherence]`` table of
a ``pyproject.toml``, found by walking up from the checked files; a ``pyproject.toml`` without the
table is skipped, as black and ruff do. ``--config FILE`` names one; ``--isolated`` ignores them.
Keys are the long flag names (``fail-on``, ``nli-model``); per-rule settings live under
``[rules.<rule-id>]`` (``[tool.coherence.rules.<rule-id>]`` in pyproject). Every key and value is
checked: an unknown key or a bad value is a ``ConfigError`` that names the file and the key.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from .errors import ConfigError
from .findings import Severity
from .formats import FORMATS
from .precision import PRECISIONS
from .settings import RULE_IDS, Settings

CONFIG_NAMES = ("coherence.toml", ".coherence.toml")
ENV_PREFIX = "COHERENCE_"
FORMAT_NAMES = tuple(FORMATS)
SEVERITY_NAMES = tuple(s.name for s in Severity)


# ---------------------------------------------------------------- value parsers
# Each takes the raw value (TOML value, or the string of an environment variable or flag) and the
# folder relative paths are resolved against (the config file's folder; the working directory
# otherwise), and returns the settings value or raises ValueError with what was expected.


def _text(value, base: Path) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _path(value, base: Path) -> str:
    return str((base / Path(_text(value, base)).expanduser()).resolve())


def _model(value, base: Path) -> str:
    # A model is a folder (resolved like any path) or the name of the installed default embedder.
    value = _text(value, base)
    return value if "/" not in value and not value.startswith(".") and not (base / value).exists() else _path(value, base)


def _choice(names: tuple[str, ...]) -> Callable:
    def parse(value, base: Path) -> str:
        if value not in names:
            raise ValueError(f"expected one of {', '.join(names)}")
        return value

    return parse


def _fail_on(value, base: Path) -> Severity | None:
    value = _choice(SEVERITY_NAMES + ("never",))(value, base)
    return None if value == "never" else Severity.parse(value)


def _integer(low: int, high: int) -> Callable:
    def parse(value, base: Path) -> int:
        if isinstance(value, str):
            try:
                value = int(value.replace("_", ""))
            except ValueError:
                raise ValueError("expected an integer") from None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected an integer from {low} to {high}")
        return value

    return parse


def _boolean(value, base: Path) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.lower() in ("1", "true", "yes", "on")
    raise ValueError("expected true or false")


def _string_list(value, base: Path) -> tuple[str, ...]:
    if isinstance(value, str):  # from the environment: comma-separated
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def _encoding(value, base: Path) -> str:
    value = _text(value, base)
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError("unknown encoding") from None
    return value


def _score(value, base: Path) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError("expected a number from 0 to 1") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError("expected a number from 0 to 1")
    return float(value)


@dataclass(frozen=True)
class Option:
    key: str  # in config files; the flag is --key, the environment variable COHERENCE_KEY
    field: str  # Settings field
    parse: Callable[[Any, Path], Any]
    help: str


OPTIONS = (
    Option("fail-on", "fail_on", _fail_on, "lowest severity that makes the run exit 1 (or never)"),
    Option("format", "output_format", _choice(FORMAT_NAMES), "report format"),
    Option("embedder", "embedder", _model, "sentence embedder: a local folder or the installed default"),
    Option("nli-model", "nli_model", _model, "NLI cross-encoder folder"),
    Option("encoding", "encoding", _encoding, "encoding of article files"),
    Option("max-bytes", "max_bytes", _integer(1, 1 << 34), "larger files are refused, never truncated"),
    Option("threads", "threads", _integer(1, 256), "CPUs each model uses: sentences or pairs read at once"),
    Option("precision", "precision", _choice(PRECISIONS), "which exported weights run: auto, int8 or float32 (bfloat16: read as auto)"),
    Option("extensions", "extensions", _string_list, "file extensions searched in directories"),
    Option("exclude", "exclude", _string_list, "glob patterns of paths skipped in directories"),
    Option("baseline", "baseline", _path, "baseline file of accepted findings"),
    Option("cache", "cache", _boolean, "reuse results of unchanged files"),
    Option("cache-dir", "cache_dir", _path, "where the result cache lives"),
)
OPTIONS_BY_KEY = {o.key: o for o in OPTIONS}

RULES_WITHOUT_CUTS = ("headline",)
RULE_KEYS = {
    "enabled": _boolean,
    "max-severity": _choice(SEVERITY_NAMES),
    "suggestion": _score,
    "warning": _score,
    "error": _score,
}


@dataclass
class ResolvedConfig:
    settings: Settings
    config_file: Path | None
    origins: dict[str, str] = field(default_factory=dict)  # key -> "default", a file, "env COHERENCE_X", "flag"


# ---------------------------------------------------------------- discovery


def _table_of(path: Path) -> dict | None:
    """The coherence table of a config file; None for a pyproject.toml without one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("coherence")
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.coherence] must be a table")
        return table
    return data


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest config file at or above ``start`` and its table."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            if (candidate / name).is_file():
                return candidate / name, _table_of(candidate / name)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _table_of(pyproject)
            if table is not None:
                return pyproject, table
    return None


def common_folder(paths: list[str]) -> Path:
    """Where discovery starts: the deepest folder holding every checked path (the working directory for none)."""
    folders = [os.path.dirname(os.path.abspath(p)) for p in paths if p and p != "-"]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()


# ---------------------------------------------------------------- resolution


def _parse(option: Option, value, base: Path, where: str):
    """``where`` names the setting as the user wrote it: ``file: key = value``, ``NAME=value``, ``--flag value``."""
    try:
        return option.parse(value, base)
    except ValueError as exc:
        raise ConfigError(f"{where} {value!r}: {exc}") from None


def _rules_from(table, base: Path, where: str) -> dict[str, dict]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'rules' must be a table of [rules.<rule-id>] tables")
    rules = {}
    for rule_id, values in table.items():
        if rule_id not in RULE_IDS:
            raise ConfigError(f"{where}: unknown rule '{rule_id}' (rules: {', '.join(RULE_IDS)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [rules.{rule_id}] must be a table")
        parsed = {}
        for key, value in values.items():
            if key not in RULE_KEYS:
                raise ConfigError(f"{where}: unknown key '{key}' in [rules.{rule_id}] (keys: {', '.join(RULE_KEYS)})")
            try:
                parsed[key] = RULE_KEYS[key](value, base)
            except ValueError as exc:
                raise ConfigError(f"{where}: [rules.{rule_id}] {key} = {value!r}: {exc}") from None
        cuts = [parsed[k] for k in ("suggestion", "warning", "error") if k in parsed]
        if cuts and rule_id in RULES_WITHOUT_CUTS:
            raise ConfigError(
                f"{where}: [rules.{rule_id}] has no score cuts (its severity follows what the body lacks); "
                f"use enabled or max-severity"
            )
        if cuts != sorted(cuts):
            raise ConfigError(f"{where}: [rules.{rule_id}] needs suggestion <= warning <= error")
        rules[rule_id] = parsed
    return rules


def resolve(
    paths: list[str],
    flags: dict[str, Any] | None = None,
    config_file: str | None = None,
    isolated: bool = False,
    environ: dict[str, str] | None = None,
) -> ResolvedConfig:
    """Settings for checking ``paths``. ``flags`` maps option keys to command-line values (None: not given)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    origins: dict[str, str] = {o.key: "default" for o in OPTIONS}
    rules: dict[str, dict] = {}

    found = None
    if config_file is not None:
        path = Path(config_file)
        table = _table_of(path)
        found = (path, table if table is not None else {})
    elif not isolated:
        found = find_config(common_folder(paths))
    if found:
        path, table = found
        where, base = str(path), path.resolve().parent
        for key, value in table.items():
            if key == "rules":
                rules = _rules_from(value, base, where)
            elif key in OPTIONS_BY_KEY:
                values[key] = _parse(OPTIONS_BY_KEY[key], value, base, f"{where}: {key} =")
                origins[key] = where
            else:
                raise ConfigError(f"{where}: unknown key '{key}' (keys: {', '.join([*OPTIONS_BY_KEY, 'rules'])})")

    for option in OPTIONS:
        name = ENV_PREFIX + option.key.upper().replace("-", "_")
        if environ.get(name, "") != "":
            values[option.key] = _parse(option, environ[name], Path.cwd(), f"environment variable {name} =")
            origins[option.key] = f"environment {name}"

    for key, value in (flags or {}).items():
        if value is not None:
            values[key] = _parse(OPTIONS_BY_KEY[key], value, Path.cwd(), f"--{key}")
            origins[key] = "command line"

    settings = Settings(
        **{OPTIONS_BY_KEY[k].field: v for k, v in values.items()},
        rules=tuple(r for r in RULE_IDS if rules.get(r, {}).get("enabled", True)),
        thresholds={r: cuts for r, t in rules.items()
                    if (cuts := {k: v for k, v in t.items() if k in ("suggestion", "warning", "error")})},
        max_severity={r: Severity.parse(t["max-severity"]) for r, t in rules.items() if "max-severity" in t},
    )
    for rule_id, table in rules.items():
        for key in table:
            origins[f"rules.{rule_id}.{key}"] = str(found[0])
    return ResolvedConfig(settings, found[0] if found else None, origins)


def describe(resolved: ResolvedConfig) -> str:
    """``coherence config``: every setting, its value and where it came from, as TOML a user can copy."""
    s = resolved.settings
    lines = [f"# config file: {resolved.config_file or 'none'}"]
    for option in OPTIONS:
        value = getattr(s, option.field)
        if isinstance(value, Severity):
            value = value.name
        elif option.key == "fail-on" and value is None:
            value = "never"
        if value is None:
            lines.append(f"# {option.key} is not set ({resolved.origins[option.key]})")
        else:
            lines.append(f"{option.key} = {_toml_value(value)}  # {resolved.origins[option.key]}")
    for rule_id in RULE_IDS:
        lines.append("")
        lines.append(f"[rules.{rule_id}]")
        lines.append(f"enabled = {_toml_value(rule_id in s.rules)}")
        if rule_id in s.max_severity:
            lines.append(f'max-severity = "{s.max_severity[rule_id].name}"')
        for key, value in s.thresholds.get(rule_id, {}).items():
            lines.append(f"{key} = {value}")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

"""driftdiff configuration: ``driftdiff.yaml`` or ``[tool.driftdiff]`` in pyproject.toml.

Validated against ``schemas/config.schema.json``; an invalid file is a ``ConfigError`` naming
the file and the path inside it. Ignore patterns are exact with ``*`` = one whole segment and
``**`` = any number of segments — never a substring match (``items.id`` does not hide
``items.idempotency_key``). ``endpoint: "**"`` (or a path without a method) covers every method;
``[]`` and ``[*]`` both stand for any array item, so a location copied from a report (which
prints ``items[]``) matches as printed. Rule ids are checked against the rule catalogue.

This module loads, validates and finds configs; the ``Ignore`` entries and their pattern
matching are ``drift_diff.config_ignore``'s.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from driftdiff_sdk.scope import ExcludePatternError, Excluder, parse_exclude

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by CI's Python 3.10 run
    import tomli as tomllib

from drift_diff.config_ignore import Ignore, location_segments, match_segments
from drift_diff.errors import ConfigError, InputError, quoted
from drift_diff.jsonfile import MAX_YAML_NODES, expanded_nodes, not_a_file_problem, read_text
from drift_diff.model import Severity
from drift_diff.replay.credentials import KINDS, Credential
from drift_diff.schemas import validation_error

__all__ = ["Config", "find_config", "load_config", "location_segments", "match_segments"]

DEFAULT_FILE = "driftdiff.yaml"


@dataclass(frozen=True, slots=True)
class Config:
    severity: dict[str, Severity] = field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()
    replay_ignore_paths: tuple[str, ...] = ()
    replay_credentials: tuple[Credential, ...] = ()
    replay_clock: str | None = None  # "recorded" | "live"; None: the replay's default
    source: str = ""
    #: ``paths:`` templates as written, and OpenAPI documents whose paths are templates too
    path_templates: tuple[str, ...] = ()
    path_openapi: tuple[Path, ...] = ()
    #: ``services:`` as written (validated by the schema; read by ``gate_services``)
    services: tuple[dict[str, Any], ...] = ()
    #: ``exclude:`` patterns (checked when loaded) and ``default_excludes:``
    exclude: tuple[str, ...] = ()
    default_excludes: bool = True
    #: days of notice a deprecation's sunset must give (oasdiff's ``--deprecation-days``)
    deprecation_days: int = 0

    @classmethod
    def from_dict(cls, data: Any, source: str = "<config>", base: Path | None = None) -> Config:
        """``base`` is the folder relative paths in the config (``paths: - openapi:``) start in."""
        data = _plain(data if data is not None else {})
        problem = (
            _unknown_key(data)
            or _ignore_problem(data)
            or validation_error("config", data)
            or _exclude_problem(data)
        )
        if problem:
            raise ConfigError(f"{source}: {problem}")
        problem = _unknown_rule(data)
        if problem:
            raise ConfigError(f"{source}: {problem}")
        ignores = tuple(
            Ignore(
                reason=item["reason"],
                rule=item.get("rule"),
                endpoint=item.get("endpoint"),
                location=item.get("location"),
                fingerprint=item.get("fingerprint"),
                expires=_date(item.get("expires"), source, i),
                index=i,
            )
            for i, item in enumerate(data.get("ignore", []))
        )
        return cls(
            severity={k: Severity(v) for k, v in data.get("severity", {}).items()},
            ignores=ignores,
            replay_ignore_paths=tuple(
                p.replace("[]", "[*]") for p in data.get("replay", {}).get("ignore_paths", [])
            ),
            replay_credentials=tuple(
                Credential.of(kind, item[kind], item["env"], f"{source}: replay/credentials/{i}")
                for i, item in enumerate(data.get("replay", {}).get("credentials", []))
                for kind in KINDS
                if kind in item
            ),
            replay_clock=data.get("replay", {}).get("clock"),
            source=source,
            path_templates=tuple(p for p in data.get("paths", []) if isinstance(p, str)),
            path_openapi=tuple(
                (base or Path(".")) / p["openapi"]
                for p in data.get("paths", [])
                if isinstance(p, dict)
            ),
            services=tuple(data.get("services", [])),
            exclude=tuple(data.get("exclude", [])),
            default_excludes=data.get("default_excludes", True),
            deprecation_days=int(data.get("deprecation_days", 0)),
        )

    def excluder(self, extra: tuple[str, ...] = (), *, defaults: bool = True) -> Excluder:
        """The ``exclude:`` patterns plus ``extra`` (the command line's, already checked);
        the default patterns unless ``defaults`` or ``default_excludes:`` turns them off."""
        return Excluder((*self.exclude, *extra), defaults=defaults and self.default_excludes)

    def templates(self) -> list[str]:
        """The endpoint templates the user states (``paths:``), OpenAPI documents read."""
        from drift_diff.openapi.importer import load_document

        out = list(self.path_templates)
        for document in self.path_openapi:
            doc = load_document(document)
            paths = doc.get("paths") if isinstance(doc, dict) else None
            if not isinstance(paths, dict):
                raise ConfigError(f"{self.source}: paths: {document} has no 'paths' object")
            out.extend(k for k in paths if isinstance(k, str) and k.startswith("/"))
        return out


def _unknown_key(data: Any) -> str | None:
    """A top-level key the schema does not know, with the closest known one."""
    if not isinstance(data, dict):
        return None
    from drift_diff.schemas import load_schema

    known = sorted(load_schema("config")["properties"])
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            return f"unknown key {quoted(key)}; {hint}"
    return None


def _exclude_problem(data: dict[str, Any]) -> str | None:
    for i, pattern in enumerate(data.get("exclude", [])):
        problem = exclude_pattern_problem(pattern)
        if problem:
            return f"exclude/{i}: {problem}"
    return None


#: what is wrong with an exclude pattern, by the SDK's reason (whose text quotes the pattern
#: and its parts as Python reprs: an error line says the reason without them)
_EXCLUDE_REASONS = (
    ("empty", "empty exclude pattern"),
    (
        "not an HTTP method",
        "the first word is not an HTTP method (write 'GET /path', 'GET,POST /path' or '/path')",
    ),
    ("must start with '/'", "the path must start with '/'"),
    ("'**' must be a whole", "'**' must be a whole path segment"),
    ("bad template segment", "a path segment with '{' or '}' must be a whole '{name}'"),
)


def exclude_pattern_problem(pattern: str) -> str | None:
    """Why an exclude pattern (``exclude:``, ``--exclude``) cannot be understood, in words
    that quote nothing of it, or None when it is fine."""
    try:
        parse_exclude(pattern)
    except ExcludePatternError as exc:
        text = str(exc)
        return next((why for key, why in _EXCLUDE_REASONS if key in text), "not understood")
    return None


def _ignore_problem(data: Any) -> str | None:
    """An ignore entry that names neither or both of ``rule`` and ``fingerprint``, in words
    (the schema's ``oneOf`` would say "not valid under any of the given schemas")."""
    ignores = data.get("ignore") if isinstance(data, dict) else None
    for i, item in enumerate(ignores if isinstance(ignores, list) else []):
        if not isinstance(item, dict):
            continue
        has_rule, has_print = "rule" in item, "fingerprint" in item
        if not has_rule and not has_print:
            return (
                f"ignore/{i}: say which finding to ignore: 'rule' (a rule id, see `driftdiff "
                "rules`, with optional 'endpoint' and 'location') or 'fingerprint'"
            )
        if has_rule and has_print:
            return f"ignore/{i}: give either 'rule' or 'fingerprint', not both"
    return None


def _unknown_rule(data: dict[str, Any]) -> str | None:
    """A rule id (``severity`` key, ``ignore`` rule) the catalogue does not know, with the
    closest known ids: a typo would otherwise silently do nothing."""
    from drift_diff.diff.registry import all_rules

    named = [(f"severity/{key}", key) for key in data.get("severity", {})]
    named += [
        (f"ignore/{i}/rule", item["rule"])
        for i, item in enumerate(data.get("ignore", []))
        if "rule" in item
    ]
    if not named:
        return None
    known = {rule.id for rule in all_rules()}
    for where, rule_id in named:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, sorted(known), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else "; see `driftdiff rules`"
            return f"{where}: unknown rule id {quoted(rule_id)}{hint}"
    return None


def _plain(value: Any) -> Any:
    """YAML/TOML dates become ISO strings so the schema (which speaks JSON) can check them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


class _Loader(yaml.SafeLoader):
    """Safe YAML where a timestamp that is no real date (``2026-02-30``) stays a string, so the
    ``expires`` check names it instead of the YAML library failing with an internal error."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _date(text: str | None, source: str, index: int) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{source}: ignore/{index}/expires: {quoted(text)} is not a valid date"
        ) from None


def _tool_table(doc: dict[str, Any], path: Path) -> Any:
    """``[tool.driftdiff]`` of a parsed pyproject.toml, or None; ``tool`` must be a table."""
    tool = doc.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {type(tool).__name__}")
    return tool.get("driftdiff")


def load_config(path: str | Path) -> Config:
    p = Path(path)
    problem = not_a_file_problem(p)
    if problem:
        raise ConfigError(f"{p}: {problem}")
    try:
        text = read_text(p)  # bounded: a config given as /dev/zero is one error line
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    if p.name == "pyproject.toml" or p.suffix == ".toml":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML: {exc}") from None
        return Config.from_dict(_tool_table(doc, p), f"{p} [tool.driftdiff]", p.parent)
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
        if expanded_nodes(data) > MAX_YAML_NODES:
            raise ConfigError(f"{p}: YAML aliases expand to more than {MAX_YAML_NODES:,} nodes")
    except RecursionError:
        raise ConfigError(f"{p}: YAML nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{p}{where}: not valid YAML: {problem}") from None
    return Config.from_dict(data, str(p), p.parent)


def search_folders(directory: str | Path = ".") -> list[Path]:
    """Where config is looked for: ``directory`` and its parents up to the repository root (the
    folder holding ``.git``); only ``directory`` when it is in no repository, so nothing above
    a project is ever read."""
    start = Path(directory).absolute()
    folders = [start, *start.parents]
    for i, folder in enumerate(folders):
        if (folder / ".git").exists():
            return folders[: i + 1]
    return [start]


def find_config(directory: str | Path = ".") -> Config | None:
    """The nearest config from ``directory`` up to the repository root (``search_folders``):
    in each folder ``driftdiff.yaml``, else ``[tool.driftdiff]`` of ``pyproject.toml``."""
    for folder in search_folders(directory):
        config = _config_in(folder)
        if config is not None:
            return config
    return None


def _config_in(d: Path) -> Config | None:
    if (d / DEFAULT_FILE).is_file():
        return load_config(d / DEFAULT_FILE)
    pyproject = d / "pyproject.toml"
    if pyproject.is_file():
        try:
            doc = tomllib.loads(pyproject.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{pyproject}: cannot read: {exc}") from None
        table = _tool_table(doc, pyproject)
        if table is not None:
            return Config.from_dict(table, f"{pyproject} [tool.driftdiff]")
    return None

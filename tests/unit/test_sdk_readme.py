"""sdk/README.md documents every ``driftdiff_sdk.stats()`` key and every writer choice."""

from __future__ import annotations

import re

from driftdiff_sdk import stats
from driftdiff_sdk.config import WRITERS

from tests.support import REPO

README = (REPO / "sdk" / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    return README[start : end if end >= 0 else None]


def test_every_stats_key_has_a_row() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \|", _section("## `driftdiff_sdk.stats()`"), re.M)
    assert sorted(rows) == sorted(stats())


def test_the_writer_variable_and_its_values_are_documented() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `DRIFTDIFF_WRITER`"))
    assert all(f"`{value}`" in row for value in WRITERS)


#: Support-table library -> the distribution the ``dev`` extra installs for it.
DISTRIBUTIONS = {
    "requests": "requests",
    "httpx": "httpx",
    "urllib3 / urllib.request": "urllib3",
    "aiohttp (client)": "aiohttp",
    "redis-py": "redis",
    "psycopg2": "psycopg2-binary",
    "psycopg 3 (`psycopg`)": "psycopg",
    "psycopg_pool": "psycopg-pool",
    "asyncpg": "asyncpg",
    "SQLAlchemy": "sqlalchemy",
    "grpcio (client)": "grpcio",
    "Starlette (inbound, ASGI)": "starlette",
    "FastAPI (inbound, ASGI)": "fastapi",
    "Flask (inbound, WSGI)": "flask",
    "Django (inbound)": "django",
    "aiohttp (inbound, server)": "aiohttp",
    "Sanic (inbound)": "sanic",
    "Litestar (inbound, ASGI)": "litestar",
    "Falcon (inbound, WSGI and ASGI)": "falcon",
}


def test_support_table_floors_are_the_dev_extras() -> None:
    """Each supported library's declared floor is the one ``.[dev]`` installs (what CI installs),
    so a library the tests need cannot be missing from CI's install."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    floors = {}
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9.]+)(?:,<[0-9.]+)?", spec)
        if m:
            floors[m.group(1).lower()] = m.group(2)
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", _section("## Supported libraries"), re.M)
    table = {name: declared for name, declared in rows if name not in ("library", "---")}
    assert set(table) == set(DISTRIBUTIONS)
    for name, declared in table.items():
        dist = DISTRIBUTIONS[name]
        assert f">= {floors[dist]}" in declared, (name, declared, dist, floors.get(dist))

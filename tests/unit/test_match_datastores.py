"""Matching recorded Redis/Postgres calls: strict SQL, by-kind params, reads vs writes."""

from __future__ import annotations

from typing import Any

from drift_diff.replay.match_datastores import is_read, normalize_sql
from drift_diff.replay.matching import RecordedCall, describe_call, match_call


def _pg(sql: str, params: Any = None, rows: Any = None, seq: int = 0) -> dict[str, Any]:
    return {
        "kind": "postgres",
        "seq": seq,
        "command": {"sql": sql, "params": params},
        "result": {"rows": rows or [], "rowcount": len(rows or []), "status": "SELECT"},
    }


def _redis(*command: str, result: Any = None) -> dict[str, Any]:
    return {"kind": "redis", "seq": 0, "command": list(command), "result": result}


def _calls(*entries: dict[str, Any]) -> list[RecordedCall]:
    return [RecordedCall(i, e) for i, e in enumerate(entries)]


def test_normalize_sql_folds_layout_and_case_but_not_literals() -> None:
    a = normalize_sql("SELECT  id,\n name FROM Items -- why\n WHERE name = 'Bob' AND x = $$A b$$;")
    b = normalize_sql("select id , name from items /* c */ where name = 'Bob' and x = $$A b$$")
    assert a == b == "select id,name from items where name = 'Bob' and x = $$A b$$"
    assert normalize_sql("SELECT 'Bob'") != normalize_sql("SELECT 'bob'")
    assert normalize_sql('SELECT "Name"') != normalize_sql('SELECT "name"')


def test_postgres_exact_then_params_by_kind_never_fuzzy_sql() -> None:
    recorded = _calls(
        _pg(
            "SELECT * FROM t WHERE id = %s",
            [{"$uuid": "6f1c1f8e-5b7a-4d51-9d1e-0c2b8f0f7a11"}],
            [[1]],
        )
    )
    live = _pg("select * from t where id = %s", [{"$uuid": "00000000-0000-4000-8000-000000000001"}])
    hit = match_call(recorded, live)
    assert hit.entry is not None and hit.stage == "dynamic-params"
    miss = match_call(
        _calls(_pg("SELECT * FROM t WHERE id = %s", [42])),
        _pg("SELECT * FROM t WHERE id = %s", [43]),
    )
    assert miss.entry is None
    assert miss.explanation == (
        "found 1 recorded postgres call; closest #1: SQL matched, params differed ([42] vs [43])"
    )
    other = match_call(_calls(_pg("SELECT a FROM t", [])), _pg("SELECT b FROM t", []))
    assert (
        other.entry is None
        and "SQL differed (select a from t vs select b from t)" in other.explanation
    )


def test_reads_repeat_last_answer_writes_match_one_to_one() -> None:
    recorded = _calls(
        _pg("SELECT 1", [], [[1]]),
        _pg("INSERT INTO t VALUES (%s)", [1]),
        _redis("GET", "k", result={"$bytes": "v"}),
        _redis("INCR", "n", result=1),
    )
    assert match_call(recorded, _pg("SELECT 1", [])).stage == "exact"
    assert match_call(recorded, _pg("SELECT 1", [])).repeated
    assert match_call(recorded, _pg("INSERT INTO t VALUES (%s)", [1])).entry is not None
    again = match_call(recorded, _pg("INSERT INTO t VALUES (%s)", [1]))
    assert again.entry is None and "matched but was already used" in again.explanation
    assert match_call(recorded, _redis("GET", "k")).entry is not None
    assert match_call(recorded, _redis("GET", "k")).repeated
    assert match_call(recorded, _redis("INCR", "n")).entry is not None
    assert match_call(recorded, _redis("INCR", "n")).entry is None


def test_redis_auth_secrets_are_not_compared_and_kinds_describe() -> None:
    recorded = _calls(_redis("AUTH", "xK3-placeholder", result=True))
    assert match_call(recorded, _redis("AUTH", "[REDACTED]")).entry is not None
    assert is_read(_redis("MULTI", ["GET", "a"], ["GET", "b"]))  # type: ignore[arg-type]
    assert not is_read(_redis("PIPELINE", ["GET", "a"], ["SET", "b", "1"]))  # type: ignore[arg-type]
    assert describe_call(_redis("GET", "cart:1")) == "redis GET cart:1"
    assert describe_call(_pg("SELECT *\n  FROM t")) == "postgres SELECT * FROM t"
    assert (
        match_call(_calls(_redis("GET", "k")), _pg("SELECT 1")).explanation
        == "this exchange recorded only redis calls"
    )


def test_describe_lookup_answers_a_statements_shape_and_uses_nothing_up() -> None:
    typed = _pg("SELECT id FROM t WHERE id = $1", [1], rows=[[1]])
    typed["result"].update({"columns": ["id"], "types": [23]})
    recorded = _calls(_pg("SELECT id FROM t WHERE id = $1", [2]), typed)
    describe = {
        "kind": "postgres",
        "command": {"sql": "select id from t where id = $1", "describe": True},
    }
    found = match_call(recorded, describe)
    assert found.entry is typed and found.stage == "describe"
    assert [rc.uses for rc in recorded] == [0, 0]
    other = {"kind": "postgres", "command": {"sql": "SELECT 2", "describe": True}}
    missed = match_call(recorded, other)
    assert missed.entry is None and "SQL differed" in missed.explanation

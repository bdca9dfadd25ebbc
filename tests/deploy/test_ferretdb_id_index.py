"""The local MongoDB-wire server finds documents through its indexes, as MongoDB does.

FerretDB 1.24 as published filters `_id` with an expression its own `_id` index is not built
on, so every `_id` find, update and delete scanned the whole collection (deploy/local patches
this when it builds FerretDB; see `localinfra.install._patch_id_lookup`). Without this test a
rebuilt or swapped binary would bring the scans back unnoticed: slow, never wrong.
"""
from __future__ import annotations

from typing import Any

import pytest
from localinfra import install

pytestmark = pytest.mark.integration


def _is_ferretdb(db: Any) -> bool:
    return "ferretdbVersion" in db.command("buildInfo")


def test_id_lookup_uses_the_id_index(mongo_db: Any) -> None:
    if not _is_ferretdb(mongo_db):
        pytest.skip("real MongoDB: _id lookups use its _id index by design")
    mongo_db.docs.insert_many([{"_id": f"t1:{i}", "n": i} for i in range(20)])
    plan = mongo_db.command("explain", {"find": "docs", "filter": {"_id": "t1:7"}})
    steps = " ".join(plan["queryPlanner"]["Plan"])
    assert "USING INDEX" in steps and "SCAN" not in steps, steps


def test_id_filters_keep_their_meaning_on_the_patched_server(mongo_db: Any) -> None:
    """find, update and delete by `_id` still hit exactly the document named, for every id type."""
    ids: list[Any] = ["a", "t1:7", 7, 7.5]
    mongo_db.docs.insert_many([{"_id": i, "n": 0} for i in ids])
    for i in ids:
        assert mongo_db.docs.update_one({"_id": i}, {"$inc": {"n": 1}}).modified_count == 1
    assert sorted(str(d["_id"]) for d in mongo_db.docs.find({"n": 1})) == sorted(map(str, ids))
    assert mongo_db.docs.find_one({"_id": "t1:8"}) is None
    assert sorted(d["n"] for d in mongo_db.docs.find({"_id": {"$in": ["a", "t1:7", "t1:8"]}})) \
        == [1, 1]
    assert mongo_db.docs.count_documents({"_id": {"$in": ["a", 7]}}) == 2  # mixed: not pushed
    assert mongo_db.docs.delete_one({"_id": "a"}).deleted_count == 1
    assert mongo_db.docs.count_documents({}) == 3


def test_patch_refuses_a_source_it_does_not_recognise(tmp_path: Any) -> None:
    meta = tmp_path / "internal" / "backends" / "sqlite" / "metadata"
    meta.mkdir(parents=True)
    (meta / "metadata.go").write_text('IDColumn = DefaultColumn + "->something else"\n')
    with pytest.raises(install.InstallError, match="FerretDB source changed"):
        install._patch_id_lookup(tmp_path)


def test_a_tenant_scoped_id_lookup_uses_the_id_index(mongo_db: Any) -> None:
    """`{_id, tenant_id}` (every tenant-scoped read) and the versioned upsert's
    `{_id, tenant_id, version: {$lt}}` reach SQLite as the `_id` lookup they are; published
    FerretDB 1.24 pushed `_id` down only when it stood alone (`_patch_pushdown`)."""
    if not _is_ferretdb(mongo_db):
        pytest.skip("real MongoDB: _id lookups use its _id index by design")
    mongo_db.docs.create_index("tenant_id")  # pushed down too: SQLite must still pick `_id`
    mongo_db.docs.insert_many([{"_id": f"t1:{i}", "tenant_id": "t1", "n": i} for i in range(20)])
    for flt in ({"_id": "t1:7", "tenant_id": "t1"},
                {"_id": "t1:7", "tenant_id": "t1", "version": {"$lt": "v2"}}):
        plan = mongo_db.command("explain", {"find": "docs", "filter": flt})
        steps = " ".join(plan["queryPlanner"]["Plan"])
        assert "USING INDEX" in steps and "SCAN" not in steps, (flt, steps)
        assert "__id_ " in steps and "tenant_id" not in steps, (flt, steps)  # the one row


def test_the_rest_of_a_filter_still_decides_beside_the_pushed_down_id(mongo_db: Any) -> None:
    """The `_id` narrows what SQLite reads; the other conditions still filter: another
    tenant's key, an older version or a non-matching operator finds, changes and deletes
    nothing, on every command that takes a filter."""
    docs = mongo_db.docs
    docs.insert_many([{"_id": "t1:1", "tenant_id": "t1", "version": "v2", "n": 0},
                      {"_id": "t1:2", "tenant_id": "t1", "version": "v1", "n": 0}])
    assert docs.find_one({"_id": "t1:1", "tenant_id": "t2"}) is None  # another tenant
    assert docs.find_one({"_id": "t1:1", "tenant_id": "t1"})["n"] == 0
    assert docs.count_documents({"_id": "t1:1", "n": {"$gt": 0}}) == 0
    assert docs.update_one({"_id": "t1:1", "tenant_id": "t1", "version": {"$lt": "v2"}},
                           {"$set": {"n": 1}}).matched_count == 0  # not older: untouched
    assert docs.update_one({"_id": "t1:2", "tenant_id": "t1", "version": {"$lt": "v2"}},
                           {"$set": {"n": 1}}).modified_count == 1
    assert docs.find_one_and_update({"_id": "t1:1", "tenant_id": "t2"},
                                    {"$set": {"n": 9}}) is None
    assert docs.delete_one({"_id": "t1:1", "tenant_id": "t2"}).deleted_count == 0
    assert list(docs.aggregate([{"$match": {"_id": "t1:2", "tenant_id": "t2"}}])) == []
    assert [d["n"] for d in docs.find({"_id": {"$in": ["t1:1", "t1:2"]}}, sort=[("_id", 1)])] \
        == [0, 1]
    assert docs.delete_one({"_id": "t1:2", "tenant_id": "t1"}).deleted_count == 1


def test_pushdown_patch_refuses_a_source_it_does_not_recognise(tmp_path: Any) -> None:
    sqlite = tmp_path / "internal" / "backends" / "sqlite"
    sqlite.mkdir(parents=True)
    (sqlite / "collection.go").write_text("\tif params.Filter.Len() == 1 {\n\t\tx()\n\t}\n")
    with pytest.raises(install.InstallError, match="FerretDB source changed"):
        install._patch_pushdown(tmp_path)  # once, not in Query and Explain


def _plan(db: Any, flt: dict[str, Any]) -> str:
    return " ".join(db.command("explain", {"find": "docs", "filter": flt})["queryPlanner"]["Plan"])


def test_a_string_equality_searches_the_fields_index(mongo_db: Any) -> None:
    """`{tenant_id}`, `{email}` and the like reach SQLite and use the field's index, as on
    MongoDB; published FerretDB read and decoded the whole collection for them
    (`_patch_pushdown`)."""
    if not _is_ferretdb(mongo_db):
        pytest.skip("real MongoDB: equality filters use its indexes by design")
    docs = mongo_db.docs
    docs.create_index([("tenant_id", 1), ("status", 1)])
    docs.insert_many([{"_id": f"x{i}", "tenant_id": f"t{i % 5}", "status": "done"}
                      for i in range(30)])
    for flt in ({"tenant_id": "t1"}, {"tenant_id": "t1", "status": "done"},
                {"tenant_id": {"$in": ["t1", "t2"]}}, {"_id": {"$in": ["x1", "x2"]}}):
        steps = _plan(mongo_db, flt)
        assert "USING INDEX" in steps and "SCAN" not in steps, (flt, steps)
    assert "SCAN" in _plan(mongo_db, {"tenant_id": 1})  # numbers are not pushed down


_AWKWARD = ["a<b&c>", 'qu"ote', "back\\slash", "é ü", "😀", "line\u2028sep", "tab\tx", "",
            "t1 ", "T1"]


def test_pushed_down_equalities_keep_mongodbs_meaning(mongo_db: Any) -> None:
    """The pushdown only narrows: an array holding the value still matches, as do strings
    that JSON escapes, and nothing else; a boolean is not its string; on every command
    that takes a filter."""
    docs = mongo_db.docs
    docs.create_index("tenant_id")
    docs.insert_many([{"_id": f"w{i}", "tenant_id": s, "n": 0} for i, s in enumerate(_AWKWARD)]
                     + [{"_id": "arr", "tenant_id": ["t1", "zz"], "n": 0},
                        {"_id": "num", "tenant_id": 1, "n": 0},
                        {"_id": "sub", "tenant_id": {"t1": "t1"}, "n": 0},
                        {"_id": "none", "n": 0}])
    for s in _AWKWARD:
        assert [d["_id"] for d in docs.find({"tenant_id": s})] == [f"w{_AWKWARD.index(s)}"], s
        assert docs.count_documents({"tenant_id": {"$in": [s, "nope"]}}) == 1, s
    assert sorted(d["_id"] for d in docs.find({"tenant_id": "t1"})) == ["arr"]
    assert docs.count_documents({"tenant_id": {"$in": ["zz"]}}) == 1
    assert docs.count_documents({"tenant_id": ["t1", "zz"]}) == 1  # a whole array: not pushed
    assert docs.count_documents({"tenant_id": {"$in": ["t1", 1]}}) == 2  # not pushed down
    assert docs.update_many({"tenant_id": "t1"}, {"$inc": {"n": 1}}).modified_count == 1
    assert docs.find_one_and_update({"tenant_id": "zz"}, {"$inc": {"n": 1}})["_id"] == "arr"
    assert docs.distinct("_id", {"tenant_id": {"$in": ["zz", "T1"]}}) == ["arr", "w9"]
    assert [d["_id"] for d in docs.aggregate([{"$match": {"tenant_id": "t1", "n": 2}}])] \
        == ["arr"]
    docs.update_one({"_id": "num"}, {"$set": {"flag": [False, True]}})
    docs.update_one({"_id": "sub"}, {"$set": {"flag": True}})
    docs.update_one({"_id": "none"}, {"$set": {"flag": "true"}})
    assert sorted(d["_id"] for d in docs.find({"flag": True})) == ["num", "sub"]
    assert [d["_id"] for d in docs.find({"flag": {"$in": [False]}})] == ["num"]
    assert [d["_id"] for d in docs.find({"flag": "true"})] == ["none"]
    many = [f"x{i}" for i in range(40_000)]  # more than SQLite's 32,766 placeholders
    assert docs.count_documents({"tenant_id": {"$in": [*many, "zz"]}}) == 1
    assert docs.count_documents({"_id": {"$in": [*many, "arr"]}}) == 1
    assert docs.delete_many({"tenant_id": {"$in": ["t1", "tab\tx"]}}).deleted_count == 2
    assert docs.count_documents({}) == len(_AWKWARD) + 4 - 2

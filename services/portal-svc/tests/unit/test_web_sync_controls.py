"""Settings → Sync controls: an Enterprise owner or admin sees sync-svc's controls for this
business only and changes them (entities, frequencies, pause/resume, full resync); a form
value not offered changes nothing; Basic and Pro see what Enterprise adds and members are told
who may change them, without a call to sync-svc."""
from __future__ import annotations

from portal_builders import OTHER_TENANT, TENANT
from portal_web_harness import ORIGIN, Web

CONTROLS = {"paused": False, "entities": ["Customer", "Invoice", "Payment"],
            "intervals": {"Customer": 86400, "Invoice": 3600, "Payment": 300},
            "history_days": 365}


def a_web() -> Web:
    web = Web()
    web.deps.sync_controls.controls_of[TENANT] = {**CONTROLS,
                                                  "intervals": dict(CONTROLS["intervals"])}
    return web


def post(web: Web, path: str, data: dict[str, object] | None = None) -> object:
    return web.client.post(path, data=data or {}, headers={"Origin": ORIGIN})


def test_an_enterprise_owner_sees_the_controls_in_the_help_pages_words():
    web = a_web()
    web.sign_in(TENANT, role="admin", plan="enterprise")
    page = web.get("/settings/sync").data.decode()
    assert "Syncing</strong> automatically" in page and "Pause syncing" in page
    assert '<option value="86400" selected>Every 24 hours</option>' in page
    assert '<option value="3600" selected>Every hour</option>' in page
    assert '<option value="300" selected>Every 5 minutes</option>' in page
    assert 'id="entity-Payment" name="entities" value="Payment" checked' in page
    assert '<option value="365" selected>The last 12 months</option>' in page
    assert "Start a full resync" in page and web.deps.sync_controls.calls == [TENANT]


def test_saving_pausing_resuming_and_a_full_resync_reach_sync_svc():
    web = a_web()
    web.sign_in(TENANT, plan="enterprise")
    answer = post(web, "/settings/sync", {"entities": ["Invoice", "Payment"],
                                          "interval-Customer": "86400",
                                          "interval-Invoice": "900", "interval-Payment": "60",
                                          "history_days": "730"})
    assert answer.status_code == 303 and answer.location.endswith("/settings/sync?done=saved")
    stored = web.deps.sync_controls.controls_of[TENANT]
    assert stored["entities"] == ["Invoice", "Payment"] and stored["intervals"]["Invoice"] == 900
    assert stored["history_days"] == 730
    assert post(web, "/settings/sync/pause").status_code == 303 and stored["paused"] is True
    page = web.get("/settings/sync?done=paused").data.decode()
    assert "Syncing is paused." in page and "Resume syncing" in page
    assert post(web, "/settings/sync/resume").status_code == 303 and stored["paused"] is False
    assert post(web, "/settings/sync/full-resync").status_code == 303
    assert web.deps.sync_controls.resyncs == [(TENANT, "u1")]
    assert OTHER_TENANT not in web.deps.sync_controls.calls


def test_no_entity_or_a_made_up_frequency_is_refused_and_changes_nothing():
    web = a_web()
    web.sign_in(TENANT, plan="enterprise")
    answer = post(web, "/settings/sync", {"interval-Customer": "86400"})
    assert answer.status_code == 422
    assert "Choose at least one kind of record" in answer.data.decode()
    answer = post(web, "/settings/sync", {"entities": ["Invoice"], "interval-Customer": "soon"})
    assert answer.status_code == 422 and "how often customers sync" in answer.data.decode()
    answer = post(web, "/settings/sync", {"entities": ["Invoice"], "interval-Customer": "900",
                                          "interval-Invoice": "60", "interval-Payment": "60",
                                          "history_days": "90"})
    assert answer.status_code == 422 and "how much history" in answer.data.decode()
    assert web.deps.sync_controls.controls_of[TENANT]["entities"] == CONTROLS["entities"]
    assert post(web, "/settings/sync/pause", None).status_code == 303
    assert web.client.post("/settings/sync/resume").status_code == 403  # no Origin: refused


def test_a_business_sync_svc_never_saw_connected_is_sent_to_connect_first():
    web = a_web()
    web.sign_in(OTHER_TENANT, plan="enterprise")
    assert "Connect to QuickBooks first" in web.get("/settings/sync").data.decode()


def test_basic_pro_and_members_see_why_and_sync_svc_is_not_called():
    web = a_web()
    for plan in ("basic", "pro"):
        web.sign_in(TENANT, plan=plan)
        page = web.get("/settings/sync").data.decode()
        assert "part of the Enterprise plan" in page and "Pause syncing" not in page
        assert post(web, "/settings/sync/pause").status_code == 403
    web.sign_in(TENANT, role="member", plan="enterprise")
    assert "Only an owner or admin" in web.get("/settings/sync").data.decode()
    assert post(web, "/settings/sync/full-resync").status_code == 403
    assert web.deps.sync_controls.calls == []
    assert web.deps.sync_controls.controls_of[TENANT]["paused"] is False

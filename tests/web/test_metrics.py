"""Prometheus /metrics on the web server (web/server.py, bot/metrics.py): reply times by route and
the CRO queue's size read from the triage store at each scrape."""
from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from knowledge.store import KnowledgeBase
from triage.store import TriageStore
from web.server import WebConfig, create_app

TOKEN = "metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def setup(kb: KnowledgeBase, tmp_path):
    triage = TriageStore.open(tmp_path / "triage.db")
    clients = []

    async def make(token: str | None = TOKEN) -> TestClient:
        app = create_app(WebConfig(rasa_url="http://localhost:5999", metrics_token=token), kb=kb, triage=triage)
        c = TestClient(TestServer(app), headers={"Host": "localhost"})
        await c.start_server()
        clients.append(c)
        return c

    yield make, triage
    for c in clients:
        await c.close()


def request(triage: TriageStore, council: str, urgent: bool) -> str:
    return triage.create_request(council=council, category="complaint", urgent=urgent, contact_method="not_given",
                                 contact_detail=None, contact_when=None, name="Zebediah",
                                 own_words="private words", transcript=[])


async def scrape(client: TestClient) -> dict[tuple, float]:
    r = await client.get("/metrics", headers=AUTH)
    assert r.status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(await r.text()) for s in family.samples}


async def test_reply_times_by_route_pattern_never_the_path_asked_for(setup):
    make, _ = setup
    client = await make()
    assert (await client.get("/")).status == 200
    assert (await client.get("/widget/council/bolton.json")).status == 200
    assert (await client.get("/no-such-page-Zebediah")).status == 404
    samples = await scrape(client)
    count = "family_help_web_request_seconds_count"
    assert samples[(count, (("route", "/"), ("status", "2xx")))] == 1
    assert samples[(count, (("route", "/widget/council/{council}.json"), ("status", "2xx")))] == 1
    assert samples[(count, (("route", "unmatched"), ("status", "4xx")))] == 1
    values = {v for (_, labels) in samples for _, v in labels}
    assert not any("Zebediah" in v or "bolton.json" in v for v in values)


async def test_the_cro_queue_size_is_read_at_each_scrape(setup):
    make, triage = setup
    client = await make()
    samples = await scrape(client)
    assert not [k for k in samples if k[0] == "family_help_cro_queue_size"]
    assert samples[("family_help_cro_queue_readable", ())] == 1
    request(triage, "bolton", urgent=True)
    request(triage, "bolton", urgent=False)
    closed = request(triage, "coventry", urgent=False)
    triage.set_status("coventry", closed, "jo.smith", "closed")
    samples = await scrape(client)
    gauge = "family_help_cro_queue_size"
    assert samples[(gauge, (("council", "bolton"), ("status", "new"), ("urgency", "urgent")))] == 1
    assert samples[(gauge, (("council", "bolton"), ("status", "new"), ("urgency", "routine")))] == 1
    assert not [k for k in samples if k[0] == gauge and ("council", "coventry") in k[1]]  # closed: not queued


async def test_metrics_refuse_without_the_token_and_are_off_without_the_setting(setup):
    make, _ = setup
    client = await make()
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 403
    off = await make(token=None)
    assert (await off.get("/metrics", headers=AUTH)).status == 404


def test_a_store_that_does_not_answer_is_a_metric_not_a_failed_scrape():
    from prometheus_client import generate_latest

    from bot import metrics

    class Down:
        def queue_sizes(self):
            raise OSError("the database is down")

    text = generate_latest(metrics.WebMetrics(Down()).registry).decode()
    assert "family_help_cro_queue_readable 0.0" in text
    assert "family_help_cro_queue_size{" not in text

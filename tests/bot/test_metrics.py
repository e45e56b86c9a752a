"""Prometheus /metrics on the action server (bot/metrics.py, bot/actions_server.py): the real app,
the real actions, a real HTTP server on a free port; each call is what Rasa sends to /webhook."""
from __future__ import annotations

import json
import socket
import zlib

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sanic import Sanic

from bot import actions_server, metrics
from safety import kinds

SECRET = "action-secret-for-tests"
TOKEN = "metrics-token-for-tests"
# Words a person might type, and a sender id: none may ever be a label value.
TEXT = "my name is Zebediah Quillfeather and I live at 12 Marigold Lane"
SENDER = "sender-7f3a9c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def server(kb):
    """The action server as `python -m bot.actions_server` builds it, serving on 127.0.0.1."""
    test_mode, Sanic.test_mode = Sanic.test_mode, True  # several apps named "rasa_sdk" in one test process
    app = actions_server.create_app(SECRET, metrics_token=TOKEN)
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
        yield session
    await srv.before_stop()
    await srv.close()
    await srv.after_stop()
    Sanic.test_mode = test_mode


def call(action: str, intent: str, *, slots: dict | None = None, safety: dict | None = None,
         ranking: list | None = None) -> dict:
    latest = {"intent": {"name": intent, "confidence": 0.95}, "entities": [], "text": TEXT,
              "intent_ranking": ranking or [{"name": intent, "confidence": 0.95}],
              "metadata": {"council": "bolton"}, **({"safety": safety} if safety else {})}
    tracker = {"sender_id": SENDER, "slots": {"council": "bolton", **(slots or {})}, "latest_message": latest,
               "events": [{"event": "user", "text": TEXT, "parse_data": latest}], "paused": False,
               "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    return {"next_action": action, "sender_id": SENDER, "tracker": tracker, "domain": {}, "version": "3.6.2"}


async def webhook(session: aiohttp.ClientSession, body: dict) -> dict:
    async with session.post("/webhook", json=body, headers={"X-Action-Secret": SECRET}) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def scrape(session: aiohttp.ClientSession) -> dict[tuple, float]:
    async with session.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        text = await r.text()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_topic_answer_raises_its_topic_counter(server):
    before = await scrape(server)
    answer = await webhook(server, call("action_answer_topic", "early_help_what"))
    assert {"event": "slot", "name": "topic", "value": "early_help_what"}.items() <= \
        next(e for e in answer["events"] if e.get("name") == "topic").items()
    after = await scrape(server)
    labels = {"topic": "early_help_what", "council": "bolton"}
    assert value(after, "family_help_topic_answers_total", **labels) == \
        value(before, "family_help_topic_answers_total", **labels) + 1
    timed = {"action": "action_answer_topic", "outcome": "ok"}
    assert value(after, "family_help_action_seconds_count", **timed) == \
        value(before, "family_help_action_seconds_count", **timed) + 1


async def test_a_safety_reply_raises_its_kind_counter(server):
    judgement = {"kind": "self_harm", "speaker": "young_person", "secret": False}
    answer = await webhook(server, call("action_safety_response", kinds.INTENT, safety=judgement))
    assert kinds.safety_marker(answer["responses"])["kind"] == "self_harm"  # the reply the counter reads
    samples = await scrape(server)
    assert value(samples, "family_help_safety_replies_total", kind="self_harm", council="bolton") == 1
    assert value(samples, "family_help_safety_replies_total", kind="danger_now", council="bolton") == 0


async def test_no_answer_and_nlu_fallback_are_counted_as_fallbacks(server):
    await webhook(server, call("action_search_knowledge", "nlu_fallback", ranking=[]))
    await webhook(server, call("action_out_of_scope", "out_of_scope"))
    samples = await scrape(server)
    assert value(samples, "family_help_fallbacks_total", reason="nlu_fallback", council="bolton") == 1
    assert value(samples, "family_help_fallbacks_total", reason="out_of_scope", council="bolton") == 1


async def test_no_label_value_is_message_text_or_a_sender_id(server):
    await webhook(server, call("action_answer_topic", "early_help_what"))
    await webhook(server, call("action_safety_response", kinds.INTENT, safety={"kind": "neglect"}))
    # a call naming things outside the closed sets: an unknown action, topic, kind and council
    odd = call(TEXT, TEXT, slots={"council": TEXT})
    async with server.post("/webhook", json=odd, headers={"X-Action-Secret": SECRET}) as r:
        assert r.status == 404
    fake = metrics.ActionMetrics({"action_answer_topic"})
    fake.observe(call("action_answer_topic", TEXT, slots={"council": SENDER}), 200,
                 {"events": [{"event": "slot", "name": "topic", "value": TEXT}],
                  "responses": [{"custom": {"type": "safety_response", "kind": TEXT}}]}, 0.01)
    assert metrics.label_values(fake.registry)["topic"] == {"other"}
    assert metrics.label_values(fake.registry)["council"] == {"unknown"}
    samples = await scrape(server)
    values = {v for (_, labels) in samples for _, v in labels} | \
        {v for vals in metrics.label_values(fake.registry).values() for v in vals}
    allowed = (metrics.topics() | metrics.safety_kinds() | metrics.councils() | set(metrics.FALLBACK_RESPONSES.values())
               | {metrics.NLU_FALLBACK, "other", "unknown", "ok", "error", "+Inf"})
    actions = {v for (name, labels) in samples for k, v in labels if k == "action"}
    assert actions <= {"action_answer_topic", "action_safety_response", "other"}
    leftovers = {v for v in values - allowed - actions if not v.replace(".", "").isdigit()}
    assert leftovers == set()
    assert not any(TEXT in v or "Zebediah" in v or SENDER in v for v in values)


async def test_metrics_refuse_without_the_token_and_a_webhook_without_the_secret_is_not_counted(server):
    async with server.get("/metrics") as r:
        assert r.status == 401
    async with server.get("/metrics", headers={"Authorization": "Bearer wrong"}) as r:
        assert r.status == 403
    async with server.get("/metrics", headers={"X-Action-Secret": SECRET}) as r:
        assert r.status == 401  # the action secret is not the metrics token
    async with server.post("/webhook", json=call("action_answer_topic", "early_help_what")) as r:
        assert r.status == 401
    samples = await scrape(server)
    assert value(samples, "family_help_topic_answers_total", topic="early_help_what", council="bolton") == 0


def test_metrics_are_off_without_a_token():
    assert metrics.refusal(None, f"Bearer {TOKEN}")[0] == 404
    assert metrics.refusal(TOKEN, f"Bearer {TOKEN}") is None
    assert metrics.refusal(TOKEN, f"bearer {TOKEN}") is None
    assert metrics.refusal(TOKEN, f"Basic {TOKEN}")[0] == 403


async def test_a_compressed_call_and_a_failed_action_are_observed_too(server):
    body = zlib.compress(json.dumps(call("action_search_knowledge", "nlu_fallback", ranking=[])).encode())
    headers = {"X-Action-Secret": SECRET, "Content-Encoding": "deflate", "Content-Type": "application/json"}
    async with server.post("/webhook", data=body, headers=headers) as r:
        assert r.status == 200
    broken = call("action_answer_topic", "early_help_what")
    del broken["tracker"]  # the action cannot run
    async with server.post("/webhook", json=broken, headers={"X-Action-Secret": SECRET}) as r:
        assert r.status == 500
    samples = await scrape(server)
    assert value(samples, "family_help_fallbacks_total", reason="nlu_fallback", council="bolton") == 1
    assert value(samples, "family_help_action_seconds_count", action="action_search_knowledge", outcome="ok") == 1
    assert value(samples, "family_help_action_seconds_count", action="action_answer_topic", outcome="error") == 1

"""Prometheus metrics for the action server and the web server (`GET /metrics`, prometheus-client).

Every label value comes from a closed set known before any message arrives: topic ids
(knowledge/topics.yml), safety kinds (safety/kinds.py), council ids (knowledge/<council>/), the
action names the action server registered, fallback reasons and web routes named below. Anything
else is counted as "other" (or "unknown" for a council): never message text, sender ids, addresses
or anything else a person typed. Each server keeps its own registry (one process each: see
docs/scaling.md for what is scraped where).

/metrics needs `Authorization: Bearer <FAMILY_HELP_METRICS_TOKEN>`: 401 without it, 403 with a
wrong one, 404 while the setting is unset (metrics off).

The action server is observed from the outside (``watch_action_server``): for each `/webhook` call,
the action that ran (the call's `next_action`), the time it took and what its JSON answer says:
a `topic` slot set (a topic answered), the safety reply's marker ``{"type": "safety_response",
"kind": ...}``, and the fallback replies. No action's code changes.
"""
from __future__ import annotations

import functools
import hmac
import json
import time
import zlib
from typing import Any, Callable, Dict, FrozenSet, Iterable, Mapping, Optional, Tuple

import yaml
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

PATH = "/metrics"
OTHER = "other"
UNKNOWN_COUNCIL = "unknown"
# Replies that mean "no answer" (domain/responses_conversation.yml), by the reason they are counted under.
FALLBACK_RESPONSES = {"utter_no_answer": "no_answer", "utter_out_of_scope": "out_of_scope",
                      "utter_feelings_offer": "feelings_only"}
NLU_FALLBACK = "nlu_fallback"  # the intent when NLU is unsure: action_search_knowledge runs
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


# --- the closed sets ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def topics() -> FrozenSet[str]:
    from knowledge import paths

    index = yaml.safe_load((paths.content_dir() / "topics.yml").read_text(encoding="utf-8"))
    return frozenset(t["id"] for t in index["topics"])


@functools.lru_cache(maxsize=1)
def safety_kinds() -> FrozenSet[str]:
    from safety import kinds

    return frozenset((*kinds.KINDS, kinds.SECRET))


@functools.lru_cache(maxsize=1)
def councils() -> FrozenSet[str]:
    from knowledge.paths import council_ids

    return frozenset(council_ids())


def closed(value: Any, allowed: Iterable[str], otherwise: str = OTHER) -> str:
    """``value`` when it is one of ``allowed``, else ``otherwise``: what every label goes through."""
    return value if isinstance(value, str) and value in allowed else otherwise


# --- /metrics ------------------------------------------------------------------------------------
def refusal(token: Optional[str], authorization: Optional[str]) -> Optional[Tuple[int, str]]:
    """(status, reason) when a scrape must be refused; None when it may have the metrics."""
    if not token:
        return 404, "metrics are off: set FAMILY_HELP_METRICS_TOKEN"
    if not authorization:
        return 401, "the Authorization header is missing"
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"),
                                                             token.encode("utf-8")):
        return 403, "wrong metrics token"
    return None


def exposition(registry: CollectorRegistry) -> Tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- the action server ---------------------------------------------------------------------------
class ActionMetrics:
    """What the action server counts: messages by topic and by safety kind, fallbacks, action times."""

    def __init__(self, action_names: Iterable[str], registry: Optional[CollectorRegistry] = None):
        self.registry = registry or CollectorRegistry()
        self.actions = frozenset(action_names)
        self.topic_answers = Counter("family_help_topic_answers", "Topic answers sent, by topic and council.",
                                     ["topic", "council"], registry=self.registry)
        self.safety_replies = Counter("family_help_safety_replies", "Safety replies sent, by kind of harm and "
                                      "council.", ["kind", "council"], registry=self.registry)
        self.fallbacks = Counter("family_help_fallbacks", "Turns the assistant could not answer, by reason "
                                 "(no_answer, out_of_scope, feelings_only; nlu_fallback: NLU unsure, search ran).",
                                 ["reason", "council"], registry=self.registry)
        self.action_seconds = Histogram("family_help_action_seconds", "Time the action server took per action "
                                        "call, by action and outcome (ok, error).", ["action", "outcome"],
                                        buckets=SECONDS, registry=self.registry)

    def observe(self, call: Any, status: int, answer: Any, seconds: float) -> None:
        """One `/webhook` call: the request body as JSON, the answer's status and JSON, its time."""
        call = call if isinstance(call, dict) else {}
        answer = answer if isinstance(answer, dict) else {}
        action = closed(call.get("next_action"), self.actions)
        self.action_seconds.labels(action, "ok" if status < 400 else "error").observe(seconds)
        if status >= 400:
            return
        tracker = call.get("tracker") if isinstance(call.get("tracker"), dict) else {}
        events = [e for e in answer.get("events") or [] if isinstance(e, dict)]
        slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
        council = closed(slots.get("council") or (tracker.get("slots") or {}).get("council"), councils(),
                         UNKNOWN_COUNCIL)
        if slots.get("topic") is not None:
            self.topic_answers.labels(closed(slots["topic"], topics()), council).inc()
        responses = [r for r in answer.get("responses") or [] if isinstance(r, dict)]
        for r in responses:
            marker = r.get("custom")
            if isinstance(marker, dict) and marker.get("type") == "safety_response":
                self.safety_replies.labels(closed(marker.get("kind"), safety_kinds()), council).inc()
            reason = FALLBACK_RESPONSES.get(r.get("response") or r.get("template"))
            if reason:
                self.fallbacks.labels(reason, council).inc()
        intent = ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
        if action == "action_search_knowledge" and intent == NLU_FALLBACK:
            self.fallbacks.labels(NLU_FALLBACK, council).inc()


def _json(raw: Any) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, TypeError, RecursionError):
        return None


def watch_action_server(app: Any, action_names: Iterable[str], token: Optional[str],
                        metrics: Optional[ActionMetrics] = None) -> ActionMetrics:
    """Add `GET /metrics` and the observation of `/webhook` calls to the action server's Sanic app.
    Add it after the secret check, so that only calls that passed it are observed."""
    from sanic import response

    metrics = metrics or ActionMetrics(action_names)
    app.ctx.metrics = metrics

    @app.get(PATH)
    async def scrape(request):  # noqa: ANN001, ANN202 - a Sanic handler
        refused = refusal(token, request.headers.get("Authorization"))
        if refused:
            return response.json({"error": refused[1]}, status=refused[0])
        body, content_type = exposition(metrics.registry)
        return response.raw(body, content_type=content_type)

    @app.middleware("request")
    async def started(request):  # noqa: ANN001, ANN202 - a Sanic middleware
        if request.path == "/webhook" and request.method == "POST":
            request.ctx.metrics_started = time.perf_counter()

    @app.middleware("response")
    async def finished(request, resp):  # noqa: ANN001, ANN202 - a Sanic middleware
        begun = getattr(request.ctx, "metrics_started", None)
        if begun is None:
            return
        request.ctx.metrics_started = None  # once per call
        try:
            raw = request.body
            if request.headers.get("Content-Encoding") == "deflate":  # Rasa may compress its calls
                raw = zlib.decompress(raw)
            call = _json(raw)
            metrics.observe(call, resp.status, _json(resp.body), time.perf_counter() - begun)
        except Exception:  # noqa: BLE001 - counting must never break an answer
            pass

    return metrics


# --- the web server ------------------------------------------------------------------------------
class QueueCollector:
    """The CRO triage queue's size, read from the store at each scrape (triage/store.py)."""

    def __init__(self, store: Any):
        self.store = store

    def collect(self):  # noqa: ANN201 - prometheus-client's collector interface
        gauge = GaugeMetricFamily("family_help_cro_queue_size", "CRO requests not closed, by council, status "
                                  "and urgency (read at scrape time).", labels=["council", "status", "urgency"])
        up = GaugeMetricFamily("family_help_cro_queue_readable", "1 when the triage store answered this scrape.")
        try:
            sizes: Mapping[tuple, int] = self.store.queue_sizes()
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a store down is a metric, not a failed scrape
            sizes = {}
            up.add_metric([], 0)
        for (council, status, urgent), n in sorted(sizes.items()):
            gauge.add_metric([closed(council, councils(), UNKNOWN_COUNCIL), status,
                              "urgent" if urgent else "routine"], n)
        yield gauge
        yield up


class WebMetrics:
    """What the web server counts: its reply times by route, and the CRO queue (QueueCollector)."""

    def __init__(self, triage: Any = None, registry: Optional[CollectorRegistry] = None):
        self.registry = registry or CollectorRegistry()
        self.request_seconds = Histogram("family_help_web_request_seconds", "Time the web server took per "
                                         "request, by route (its pattern, never the path asked for) and status "
                                         "class.", ["route", "status"], buckets=SECONDS, registry=self.registry)
        if triage is not None:
            self.registry.register(QueueCollector(triage))


def route_of(request: Any) -> str:
    """An aiohttp request's route pattern (from the server's own route table), or "unmatched"."""
    try:
        resource = request.match_info.route.resource
    except AttributeError:
        resource = None
    # A sub-app's routes (/cro) carry its prefix; a static folder is its prefix alone.
    return (resource.canonical or "unmatched") if resource is not None else "unmatched"


def aiohttp_metrics(metrics: WebMetrics, token: Optional[str]) -> Tuple[Callable, Callable]:
    """(middleware, handler for GET /metrics) for the aiohttp web server."""
    from aiohttp import web

    @web.middleware
    async def timed(request: web.Request, handler: Callable) -> web.StreamResponse:
        if request.path == PATH:
            return await handler(request)
        begun, status = time.perf_counter(), 500
        try:
            resp = await handler(request)
            status = resp.status
            return resp
        except web.HTTPException as e:
            status = e.status
            raise
        finally:
            metrics.request_seconds.labels(route_of(request), f"{status // 100}xx").observe(
                time.perf_counter() - begun)

    async def scrape(request: web.Request) -> web.Response:
        refused = refusal(token, request.headers.get("Authorization"))
        if refused:
            return web.json_response({"error": refused[1]}, status=refused[0])
        body, content_type = exposition(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})

    return timed, scrape


def label_values(registry: CollectorRegistry) -> Dict[str, set]:
    """Every label value in a registry, by label name (the tests check none is a person's words)."""
    found: Dict[str, set] = {}
    for family in registry.collect():
        for sample in family.samples:
            for name, value in sample.labels.items():
                found.setdefault(name, set()).add(value)
    return found

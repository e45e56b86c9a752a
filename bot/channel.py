"""The public chat channel: Rasa's REST channel with its input checked first and an answer always.

Registered in bot/credentials.yml as ``bot.channel.FamilyHelpInput``; same address as Rasa's REST
channel (``POST /webhooks/rest/webhook``), plus:

- ``GET  /webhooks/rest/``       liveness: the process answers;
- ``GET  /webhooks/rest/ready``  readiness: the model is loaded (503 until then);
- ``POST /webhooks/rest/delete`` ``{"sender": "..."}``: erase that conversation (Delete this chat,
  and Exit this page's beacon, sent as text/plain so no preflight is needed).

Every chat request is checked before Rasa sees it (bot/intake.py): a bad one gets 400 and
``{"error": "..."}`` in plain words. A client sending too fast gets 429 and the numbers. A turn that
fails or says nothing (action server down or slow, an exception) gets the numbers from
safety/fallback.py, and the conversation is left able to carry on. Logs hold counts and kinds,
never message text or sender ids.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import ActionExecuted, SessionStarted
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from bot import intake, logs, shared_state, turns
from bot.shared_state import RecentConcerns  # noqa: F401 - where it was (this process's memory)
from knowledge.store import KnowledgeBase
from safety.fallback import fallback_messages, response_text
from safety.kinds import CONTEXT_KEY, safety_marker

log = logging.getLogger(__name__)

DELETED = "conversation_deleted"  # custom payload of the "delete my chat" reply
TURN_TIMEOUT_MARGIN = 15.0  # a whole turn may take this much longer than one action call


class FamilyHelpInput(RestInput):
    """Rasa's REST channel with checked input, rate limits, fallbacks and erasure."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        self.max_chars = settings.get("FAMILY_HELP_MAX_MESSAGE_CHARS")
        self.turn_timeout = settings.get("FAMILY_HELP_ACTION_TIMEOUT_SECONDS") * 2 + TURN_TIMEOUT_MARGIN
        self._kb: Optional[KnowledgeBase] = None
        # Recent safety concerns and the chat rate limit: this process's memory (make run), or Redis
        # shared by every Rasa server (FAMILY_HELP_SHARED_STATE=1, make run-scaled); bot/shared_state.py.
        self.state = shared_state.from_settings()
        turns.install(settings.get("FAMILY_HELP_ACTION_TIMEOUT_SECONDS"))

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> FamilyHelpInput:
        return cls()

    def knowledge(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = KnowledgeBase.open()
        return self._kb

    # --- replies the channel makes itself -----------------------------------------------------
    @staticmethod
    def _responses(request: Request) -> Dict[str, Any]:
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        return dict(getattr(domain, "responses", None) or {})

    def _numbers(self, request: Request, council: Optional[str], intent: Optional[str],
                 judgement: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        return fallback_messages(self._responses(request), self.knowledge, council, intent, judgement)

    @staticmethod
    def _addressed(sender: str, messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [{"recipient_id": sender, **m} for m in messages]

    # --- the routes ---------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        hooks = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @hooks.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hooks.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            return response.json({"status": "ready"})

        @hooks.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        @hooks.route("/delete", methods=["POST"])
        async def delete(request: Request) -> HTTPResponse:
            return await self.delete(request)

        return hooks

    async def client(self, request: Request) -> Optional[str]:
        """An opaque key for the client, or None for this machine itself (see intake.client_address).
        The same on every Rasa server that shares state (its key is kept in Redis)."""
        address = intake.client_address(request.ip, request.headers.get("x-forwarded-for"))
        return intake.client_key(address, await self.state.secret()) if address else None

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                      ) -> HTTPResponse:
        client = await self.client(request)
        try:
            chat = intake.parse_chat(request.body, self.max_chars)
        except intake.BadRequest as problem:
            log.info("chat: request refused (%s)", type(problem).__name__)
            return response.json({"error": str(problem)}, status=400)
        if client and not await self.state.allow(client):
            log.info("chat: client over the rate limit")
            slow = response_text(self._responses(request), "utter_too_fast", {})
            wait = [{"text": slow}] if slow else []
            return response.json(self._addressed(chat.sender, wait + self._numbers(request, chat.council, None)),
                                 status=429)
        agent = request.app.ctx.agent
        text = intake.as_intent_or_text(chat.text, getattr(agent.domain, "intents", ()) if agent else ())
        metadata = {k: v for k, v in chat.metadata.items() if k != "client"}
        if client:
            metadata["client"] = client  # for the CRO request limit; never the address itself
        metadata.pop(CONTEXT_KEY, None)
        if await self.state.recent_concern(chat.sender):
            metadata[CONTEXT_KEY] = {"after_concern": True}  # read by the safety layer (safety.component)
        with logs.hiding(chat.text), logs.hiding(text):
            return response.json(await self._turn(request, on_new_message, chat, text, metadata))

    async def _turn(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                    chat: intake.ChatRequest, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        collector = CollectingOutputChannel()
        turn = turns.begin()
        problem: Optional[str] = None
        try:
            await asyncio.wait_for(on_new_message(UserMessage(text, collector, chat.sender, input_channel="rest",
                                                              metadata=metadata)), self.turn_timeout)
        except asyncio.TimeoutError:
            problem = "timeout"
        except Exception as exc:  # noqa: BLE001 - the person must still get the numbers
            problem = type(exc).__name__
        messages = list(collector.messages)
        safety_reply = safety_marker(messages) is not None
        if safety_reply:
            await self.state.note_concern(chat.sender)
        if problem or turn.failed or not messages:
            log.warning("chat: turn failed (%s); sent the numbers",
                        problem or ("action " + ",".join(turn.failed_actions) if turn.failed else "no reply"))
            return await self._rescue(request, chat, text, messages, safety_reply)
        if any((m.get("custom") or {}).get("type") == DELETED for m in messages):
            try:
                await self._erase(request, chat.sender)
            except Exception as exc:  # noqa: BLE001
                log.error("chat: delete failed (%s)", type(exc).__name__)
                return [{"recipient_id": chat.sender, "text": "Sorry, I could not delete this chat just now. "
                         "Please try again in a few minutes."}]
        return messages

    async def _rescue(self, request: Request, chat: intake.ChatRequest, text: str,
                      messages: List[Dict[str, Any]], safety_reply: bool) -> List[Dict[str, Any]]:
        """Add the numbers (the safety response if it was a safety message) and unstick the
        conversation so that the next message is answered normally."""
        agent = request.app.ctx.agent
        council = chat.council
        try:
            council = council or await self._unstick(agent, chat.sender)
        except Exception as exc:  # noqa: BLE001
            log.error("chat: could not repair the conversation (%s)", type(exc).__name__)
        if safety_reply:
            return messages  # the safety response got through: it already has the numbers
        intent, judgement = None, None
        try:
            parsed = await agent.parse_message(text)
            intent, judgement = (parsed.get("intent") or {}).get("name"), parsed.get("safety")
        except Exception as exc:  # noqa: BLE001
            log.error("chat: could not read the failed message's intent (%s)", type(exc).__name__)
        return messages + self._addressed(chat.sender, self._numbers(request, council, intent, judgement))

    @staticmethod
    async def _unstick(agent: Any, sender: str) -> Optional[str]:
        """After a failed turn the conversation may have no session start (it failed) or no
        'listen' at its end; either leaves every later turn unanswered. Add what is missing.
        Returns the conversation's council slot as it was (a new session start clears slots)."""
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.retrieve(sender)
            if tracker is None:
                return None
            council = tracker.get_slot("council")
            started = any(isinstance(e, SessionStarted) for e in tracker.events)
            last = next((e for e in reversed(tracker.events) if isinstance(e, ActionExecuted)), None)
            if started and last is not None and last.action_name == "action_listen":
                return council
            if not started:
                tracker.update(SessionStarted())
            tracker.update(ActionExecuted("action_listen"))
            await agent.tracker_store.save(tracker)
            return council

    async def _erase(self, request: Request, sender: str) -> int:
        await self.state.forget_concern(sender)
        agent = request.app.ctx.agent
        store = agent.tracker_store
        store = getattr(store, "_tracker_store", store)  # Rasa wraps it in an AwaitableTrackerStore
        if not hasattr(store, "delete"):
            raise RuntimeError("this tracker store cannot delete conversations")
        async with agent.lock_store.lock(sender):
            deleted = await asyncio.to_thread(store.delete, sender)
        log.info("chat: a conversation was deleted (%d events)", deleted)
        return deleted

    async def delete(self, request: Request) -> HTTPResponse:
        client = await self.client(request)
        if client and not await self.state.allow(client):
            return response.json({"error": "Too many requests. Please wait a minute, then try again."}, status=429)
        try:
            sender = intake.parse_delete(request.body)
        except intake.BadRequest as problem:
            return response.json({"error": str(problem)}, status=400)
        try:
            await self._erase(request, sender)
        except Exception as exc:  # noqa: BLE001
            log.error("chat: delete failed (%s)", type(exc).__name__)
            return response.json({"error": "The chat could not be deleted just now. Please try again."},
                                 status=503)
        return response.json({"deleted": True})

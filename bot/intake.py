"""Checking what a client sends to the chat, before Rasa sees any of it. Plain functions, no Rasa.

A chat request is a JSON object: {"sender": "<conversation id>", "message": "<text>",
"metadata": {...}}. The sender is a short safe string (the widget sends a random UUID), the message
text of at most FAMILY_HELP_MAX_MESSAGE_CHARS characters, and the metadata a small object. Anything
else gets a ``BadRequest`` with a message a person (or a developer) can act on, never an
exception inside Rasa.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Optional

import settings

MAX_BODY_BYTES = 64 * 1024  # far above 2,000 characters of any script, far below anything costly
MAX_METADATA_BYTES = 1024
SENDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
# Control characters other than tab and newline (NUL and friends) become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


_SCALARS = (str, int, float, bool)


class BadRequest(ValueError):
    """The request cannot be used; the message says why, in plain words."""


@dataclass
class ChatRequest:
    sender: str
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)

    @property
    def council(self) -> Optional[str]:
        """The council the page named (metadata "council"), if it named one as text."""
        council = self.metadata.get("council")
        return council if isinstance(council, str) else None


def _json_object(body: bytes) -> Dict[str, Any]:
    if not body:
        raise BadRequest("The request was empty. Send JSON like {\"sender\": \"...\", \"message\": \"...\"}.")
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("The request is too big.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The request must be a JSON object with \"sender\" and \"message\".")
    return data


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")  # a lone surrogate cannot be stored or shown
    except UnicodeEncodeError:
        return False
    return True


def sender_id(data: Dict[str, Any]) -> str:
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender:
        raise BadRequest("\"sender\" is missing: send a conversation id (letters, digits, - _ . : @).")
    if not SENDER.match(sender):
        raise BadRequest("\"sender\" must be 1 to 64 letters, digits or - _ . : @, starting with a letter or digit.")
    return sender


def parse_chat(body: bytes, max_chars: int) -> ChatRequest:
    """The request as a ChatRequest, or BadRequest."""
    data = _json_object(body)
    sender = sender_id(data)
    text = data.get("message")
    if not isinstance(text, str):
        raise BadRequest("\"message\" must be text.")
    if not _valid_text(text):
        raise BadRequest("The message has characters that cannot be read. Please type it again.")
    text = _CONTROL.sub(" ", text).strip()
    if not text:
        raise BadRequest("The message is empty. Type a question or tell me what is happening.")
    if len(text) > max_chars:
        raise BadRequest(f"Your message is too long. Please keep it under {max_chars:,} characters, "
                         "or send it in parts.")
    metadata = data.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest("\"metadata\" must be an object, for example {\"council\": \"bolton\"}.")
    try:
        packed = json.dumps(metadata, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError):
        raise BadRequest("\"metadata\" has values that cannot be read.") from None
    if len(packed) > MAX_METADATA_BYTES:
        raise BadRequest("\"metadata\" is too big.")
    if any(not isinstance(k, str) or not (v is None or isinstance(v, _SCALARS)) for k, v in metadata.items()):
        raise BadRequest("\"metadata\" must be a flat object of names and simple values, "
                         "for example {\"council\": \"bolton\"}.")
    return ChatRequest(sender, text, metadata)


def parse_delete(body: bytes) -> str:
    """The conversation id to delete ({"sender": "..."}), or BadRequest."""
    return sender_id(_json_object(body))


def as_intent_or_text(text: str, intents: Any) -> str:
    """Buttons send '/intent' or '/intent{...}'. Anything else that starts with '/' is something a
    person typed: send it as words, so Rasa never tries (and fails, logging it) to read it as an
    intent."""
    if not text.startswith("/"):
        return text
    name = re.match(r"/([A-Za-z0-9_]+)", text)
    if name and name.group(1) in intents:
        return text
    words = text.lstrip("/ ").strip()
    return words or "?"


LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def client_address(peer: Optional[str], forwarded_for: Optional[str],
                   proxies: Optional[Iterable[str]] = None) -> Optional[str]:
    """Who the client is, for rate limits. A request from another machine: its address. A request
    from this machine through a local proxy (nginx): the address the proxy added last to
    X-Forwarded-For. A request from this machine with no proxy header: None (the machine itself:
    the tests, an evaluation, a health check), which is not limited. Servers listen on localhost
    only unless a proxy is put in front, so outside clients always arrive one of the first two ways.
    A proxy in another container (docker-compose.yml's nginx) is trusted like a local one when its
    address is in ``proxies`` (default: FAMILY_HELP_TRUSTED_PROXIES)."""
    if proxies is None:
        proxies = settings.get("FAMILY_HELP_TRUSTED_PROXIES")
    if peer in LOOPBACK or (peer and peer in proxies):
        if forwarded_for:
            last = forwarded_for.split(",")[-1].strip()
            return last or None
        return None
    return peer or "unknown"


def client_key(address: Optional[str], secret: bytes) -> str:
    """An opaque key for a client address (never the address itself), stable for one process."""
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()[:16]

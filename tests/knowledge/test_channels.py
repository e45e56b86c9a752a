"""Which way of getting in touch is asked for, and the contacts that give it (knowledge.channels),
on the knowledge base built from the real content."""
from __future__ import annotations

import pytest

from knowledge import channels


@pytest.mark.parametrize("text, wanted", [
    ("can I just email instead?", {"email"}),
    ("what's their number", {"phone"}),
    ("give me the email and the phone number for complaints", {"email", "phone"}),
    ("can I write a letter?", {"address"}),
    ("is there a form online", {"web"}),
    ("what happens next", set()),
])
def test_the_way_of_getting_in_touch_asked_for(text, wanted):
    assert channels.asked_channels(text) == wanted


def test_asking_for_an_email_finds_the_same_services_email(kb):
    council = kb.default_council
    phone_line = [c for c in kb.find_contacts(council, "complaints") if c.phone]
    assert phone_line and not any(c.email for c in phone_line)
    found = channels.prefer_channels(kb, council, phone_line, "the email for complaints please")
    assert found[0].email


def test_contacts_that_already_give_it_are_kept_as_they_are(kb):
    council = kb.default_council
    phone_line = [c for c in kb.find_contacts(council, "complaints") if c.phone][:1]
    assert channels.prefer_channels(kb, council, phone_line, "what's the number") == phone_line
    assert channels.prefer_channels(kb, council, phone_line, "how do I complain") == phone_line


def test_the_topics_contacts_answer_whats_their_number(kb):
    found = channels.topic_contacts(kb, kb.default_council, "cro")
    assert any(c.phone for c in found)
    assert channels.topic_contacts(kb, kb.default_council, None) == []

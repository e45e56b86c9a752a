"""The web server's side of issue 13 (the chat on a small screen, in a hurry): Exit this page on
every page, and the questions the chat opens with, for each council and page. The browser side is
tested in Chromium in tests/e2e/test_small_screens.py and tests/e2e/test_widget.py."""
from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from knowledge.store import KnowledgeBase
from triage.store import TriageStore
from web.server import MAX_STARTERS, WebConfig, create_app, starters


@pytest.fixture
async def client(kb: KnowledgeBase, tmp_path):
    app = create_app(WebConfig(rasa_url="http://localhost:5999", exit_url="https://example.org/weather"), kb=kb,
                     triage=TriageStore.open(tmp_path / "triage.db"))
    c = TestClient(TestServer(app), headers={"Host": "localhost"})
    await c.start_server()
    yield c
    await c.close()


@pytest.mark.parametrize("path", ["/", "/staying-safe", "/app"])
async def test_every_page_has_exit_this_page_and_says_how_it_works(client, path):
    html = await (await client.get(path)).text()
    assert 'data-module="govuk-exit-this-page"' in html and 'href="https://example.org/weather"' in html
    assert "press the Shift key 3 times" in html and "/widget/vendor/govuk/govuk-frontend.min.css" in html
    if path == "/staying-safe":  # no chat widget there: a small script starts the button and Shift x3
        assert 'src="/widget/static/exit-page.js"' in html
    js = await (await client.get("/widget/static/exit-page.js")).text()
    assert "sessionStorage" in js and "location.replace" in js and "innerHTML" not in js


@pytest.mark.parametrize("audience", [None, "young_person"])
def test_opening_suggestions_are_only_ones_the_council_can_answer(kb, audience):
    for council in kb.councils:
        offered = starters(kb, council, audience)
        assert 1 <= len(offered) <= MAX_STARTERS, (council, offered)
        for s in offered:
            assert s["payload"].startswith("/") and kb.topic(council, s["payload"][1:]), (council, s)
    assert "/complaints" not in [s["payload"] for s in starters(kb, "bolton", audience)]
    assert "/cin_what" not in [s["payload"] for s in starters(kb, "bolton", audience)]
    assert "/mash_contact" not in [s["payload"] for s in starters(kb, "hampshire", audience)]


async def test_the_widget_gets_suggestions_for_its_council_and_page(client):
    family = (await (await client.get("/widget/council/coventry.json")).json())["starters"]
    assert family[0] == {"title": "Who do I call if I'm worried about a child?", "payload": "/mash_contact"}
    young = (await (await client.get("/widget/council/coventry.json?audience=young_person")).json())["starters"]
    assert young[0] == {"title": "Help for young carers", "payload": "/young_carers"}
    page = (await (await client.get("/widget/council/coventry.json?topics=family_hubs,nonsense")).json())["starters"]
    assert page[0]["payload"] == "/family_hubs" and "/nonsense" not in [s["payload"] for s in page]
    bolton = (await (await client.get("/widget/council/bolton.json?topics=complaints")).json())["starters"]
    assert "/complaints" not in [s["payload"] for s in bolton]


def test_the_cros_transcript_leaves_out_what_the_assistant_had_already_said():
    from web.cro import readable_transcript

    source = "Source: [Coventry City Council: Complaints](https://example.org/complaints)"
    turns = [{"who": "young person", "text": "i want to complain"},
             {"who": "assistant", "text": "You can complain to the council.\n" + source},
             {"who": "young person", "text": "i want to complain"},
             {"who": "assistant", "text": "You can complain to the council.\n" + source},
             {"who": "assistant", "text": "A Children's Rights Officer can help.\n" + source}]
    assert readable_transcript(turns) == [
        {"who": "young person", "text": "i want to complain", "repeat": False},
        {"who": "assistant", "text": "You can complain to the council.\nSource: Coventry City Council: Complaints",
         "repeat": False},
        {"who": "young person", "text": "i want to complain", "repeat": False},  # their words: all kept
        {"who": "assistant", "text": "", "repeat": True},
        {"who": "assistant", "text": "A Children's Rights Officer can help.", "repeat": False}]

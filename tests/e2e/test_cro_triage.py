"""Children's Rights Officer requests end to end: the form through the REST channel into the
triage database, and in Chromium a young person asking in the widget, then a CRO signing in,
claiming the request, adding a note and closing it."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, SCREENSHOTS, say
from tests.e2e.test_widget import assert_no_serious_violations, axe_violations, new_page
from triage.store import TriageStore

REFERENCE = re.compile(r"\bCRO-[A-Z0-9]{4,}\b")
PASSWORD = "a long test password 1"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def triage(stack) -> TriageStore:
    return TriageStore.open(stack.env["FAMILY_HELP_TRIAGE_DB"])


def test_form_with_a_safety_message_in_the_middle_is_urgent(stack):
    url, who, meta = stack.rasa_url, "e2e-cro-urgent", {"council": "coventry"}
    # asked for straight away (no offer first)
    assert "name" in texts(say(url, who, "can a childrens rights officer ring me back", meta)).lower()
    assert "contact you" in texts(say(url, who, "Jay", meta))
    assert "phone number or email" in texts(say(url, who, "phone", meta))
    assert "safe time" in texts(say(url, who, "07700 900123", meta))
    assert "own words" in texts(say(url, who, "after school", meta))
    disclosure = "my foster dad hits me when i ask to see my brother"
    replies = say(url, who, disclosure, meta)
    kinds = [r.get("custom", {}).get("type") for r in replies]
    assert "safety_response" in kinds, replies
    assert "999" in texts(replies[:2])  # the safety response comes first
    assert "Can I pass this" in texts(replies[kinds.index("safety_response") + 1:])
    done = texts(say(url, who, "/affirm", meta))
    reference = REFERENCE.search(done).group(0)
    assert "can't see your request" in done
    record = triage(stack).get("coventry", reference)
    assert record is not None and record.urgent and record.category == "safety"
    assert record.own_words == disclosure and record.name == "Jay" and record.contact_method == "phone"
    assert triage(stack).get("hampshire", reference) is None  # another council never sees it
    # the same worry again in this chat: the request is already sent, so no second offer
    again = say(url, who, "i'm in care and i hate my placement, nobody listens to me", meta)
    assert "already asked" in texts(again) and reference in texts(again)
    assert not any(r.get("buttons") for r in again if "Children's Rights Officer" in (r.get("text") or ""))


def test_where_the_council_names_no_childrens_rights_officers_the_request_says_who_can_help(stack):
    url, who, meta = stack.rasa_url, "e2e-cro-none", {"council": "bolton"}
    before = len(triage(stack).queue("bolton", include_closed=True))
    reply = texts(say(url, who, "can a childrens rights officer ring me back", meta))
    assert "don't name Children's Rights Officers" in reply and "01204 332010" in reply and "0800 1111" in reply
    assert "short questions" not in reply
    # no offer was made after an answer either, so a "yes" does not start the questions
    assert "Children's Rights Officer can get back to you" not in texts(say(url, who, "how do i complain", meta))
    assert "What name should" not in texts(say(url, who, "yes", meta))
    assert len(triage(stack).queue("bolton", include_closed=True)) == before


def test_no_consent_keeps_nothing(stack):
    url, who, meta = stack.rasa_url, "e2e-cro-no", {"council": "coventry"}
    before = len(triage(stack).queue("coventry", include_closed=True))
    assert "short questions" in texts(say(url, who, "can a childrens rights officer ring me back", meta))
    say(url, who, "skip", meta)
    assert "own words" in texts(say(url, who, "skip", meta))
    assert "Can I pass this" in texts(say(url, who, "my pathway plan is wrong", meta))
    assert "not passed anything on" in texts(say(url, who, "/deny", meta))
    assert len(triage(stack).queue("coventry", include_closed=True)) == before


def test_stop_part_way_keeps_nothing(stack):
    url, who, meta = stack.rasa_url, "e2e-cro-stop", {"council": "coventry"}
    before = len(triage(stack).queue("coventry", include_closed=True))
    say(url, who, "can a childrens rights officer ring me back", meta)
    say(url, who, "Sam", meta)
    assert "stopped" in texts(say(url, who, "actually i've changed my mind", meta))
    assert len(triage(stack).queue("coventry", include_closed=True)) == before
    assert "early help" in texts(say(url, who, "what is early help", meta)).lower()  # and the chat carries on


def test_a_cro_asking_quick_facts_is_answered_like_anyone(stack):
    icpc = texts(say(stack.rasa_url, "e2e-cro-facts", "how long has Hampshire got to hold an ICPC?"))
    assert "15 working days" in icpc and "Hampshire" in icpc
    plan = texts(say(stack.rasa_url, "e2e-cro-facts-2", "what is a pathway plan?"))
    assert "leaving care" in plan.lower()


@pytest.fixture(scope="module")
def cro_account(stack):
    subprocess.run([sys.executable, "-m", "triage.accounts", "--db", stack.env["FAMILY_HELP_TRIAGE_DB"], "create",
                    "cro.coventry", "--council", "coventry", "--password-stdin"], cwd=ROOT,
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                   env={**stack.env})
    return "cro.coventry"


def test_young_person_asks_in_the_widget_and_a_cro_deals_with_it(stack, browser, cro_account):
    page = new_page(browser, "phone")
    page.goto(stack.web_url)
    page.get_by_role("button", name="Open chat").click()
    box = page.get_by_role("textbox", name=re.compile("message", re.I))
    log = page.get_by_role("log")

    def answer(text: str, expect_text: str) -> None:
        box.fill(text)
        page.get_by_role("button", name="Send").click()
        expect(log).to_contain_text(expect_text, timeout=20_000)

    answer("i want to see my nan more and nobody listens to me", "Would you like that?")
    page.get_by_role("group", name="Suggested replies").last.get_by_role("button", name="Yes, please").click()
    expect(log).to_contain_text("What name should", timeout=20_000)
    answer("Robin", "How is it safe")
    page.get_by_role("group", name="Suggested replies").last.get_by_role(
        "button", name="Through my carer or social worker").click()
    expect(log).to_contain_text("safe time", timeout=20_000)
    answer("weekends", "own words")
    answer("I want to live with my nan and nobody asks me", "Can I pass this")
    page.get_by_role("group", name="Suggested replies").last.get_by_role("button", name="Yes, pass it on").click()
    expect(log).to_contain_text("Your reference is", timeout=20_000)
    reference = REFERENCE.search(log.inner_text()).group(0)
    page.screenshot(path=str(SCREENSHOTS / "cro-request-phone.png"))
    page.context.close()

    cro = new_page(browser, "desktop")
    cro.goto(stack.web_url + "/cro/")
    cro.get_by_label("Username").fill(cro_account)
    cro.get_by_label("Password").fill(PASSWORD)
    cro.get_by_role("button", name="Sign in").click()
    # urgent requests come first (another test's may be there): this one's row, wherever it is
    row = cro.get_by_test_id("queue").locator("tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    cro.screenshot(path=str(SCREENSHOTS / "cro-queue-desktop.png"))
    row.get_by_role("link", name=reference).click()
    expect(cro.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(cro.locator("main")).to_contain_text("I want to live with my nan")
    cro.get_by_role("button", name="Claim").click()
    cro.get_by_label("Add a note").fill("Rang her carer. Visit booked.")
    cro.get_by_role("button", name="Add note").click()
    expect(cro.locator("main")).to_contain_text("Rang her carer. Visit booked.")
    cro.get_by_role("button", name="Close", exact=True).click()
    expect(cro.get_by_role("alert")).to_contain_text("Close this request?")  # asked first: nothing closed yet
    assert triage(stack).get("coventry", reference).status != "closed"
    cro.get_by_role("button", name="Yes, close this request").click()
    audit = cro.locator("main")
    expect(audit).to_contain_text(cro_account)
    cro.screenshot(path=str(SCREENSHOTS / "cro-request-desktop.png"), full_page=True)
    record = triage(stack).get("coventry", reference)
    assert record.status == "closed" and record.assigned_to == cro_account
    actions = [entry.action for entry in triage(stack).audit("coventry", reference)]
    assert {"created", "assigned", "note", "status"} <= set(actions)
    cro.goto(stack.web_url + "/cro/")  # closed requests leave the open queue
    expect(cro.locator("main")).not_to_contain_text(reference)
    cro.context.close()


def test_cro_pages_pass_the_accessibility_scan(stack, browser, cro_account):
    page = new_page(browser, bypass_csp=True)
    found = {}

    def scan(name: str) -> None:
        found[name] = axe_violations(page)

    page.goto(stack.web_url + "/cro/login")
    scan("CRO sign in")
    page.get_by_label("Username").fill(cro_account)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Status").select_option("all")
    page.get_by_role("button", name="Apply filters").click()
    scan("CRO queue")
    page.get_by_test_id("queue").locator("tbody tr").first.get_by_role("link").click()
    scan("CRO request")
    page.context.close()
    assert_no_serious_violations(found, "axe-report-cro.json")


def test_nothing_personal_reaches_the_logs(stack):
    """A request with its own name, number and words: none of them is in any server log."""
    from tests.e2e.conftest import SERVER_LOG

    url, who, meta = stack.rasa_url, "e2e-cro-logs", {"council": "coventry"}
    personal = ["Zephyrine", "07700 900777", "the purple curtains in my placement smell"]
    say(url, who, "can a childrens rights officer ring me back", meta)
    say(url, who, personal[0], meta)
    say(url, who, "phone " + personal[1], meta)
    say(url, who, "after tea", meta)
    say(url, who, personal[2], meta)
    reference = REFERENCE.search(texts(say(url, who, "/affirm", meta))).group(0)
    assert triage(stack).get("coventry", reference).name == personal[0]  # it was really stored
    log = SERVER_LOG["path"].read_text(errors="replace").lower()
    for text in personal:
        assert text.lower() not in log, text


def button_payload(replies: list[dict], title_part: str) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if title_part.lower() in button["title"].lower():
                return button["payload"]
    raise AssertionError(f"no button with {title_part!r} in {replies}")


def test_the_forms_own_buttons_and_an_email_are_answers_not_other_intents(stack):
    """'I will ring them myself' was read as self-harm (crisis reply, urgent request); an email
    address such as jo@example.org was read as 'stop' and ended the form."""
    url, meta = stack.rasa_url, {"council": "coventry"}
    who = "e2e-cro-button"
    say(url, who, "can a childrens rights officer ring me back", meta)
    asked = say(url, who, "Robin", meta)
    replies = say(url, who, button_payload(asked, "ring them myself"), meta)
    assert not any(r.get("custom", {}).get("type") == "safety_response" for r in replies), replies
    assert "own words" in texts(replies)
    say(url, who, "I want more time with my brother", meta)
    reference = REFERENCE.search(texts(say(url, who, "/affirm", meta))).group(0)
    record = triage(stack).get("coventry", reference)
    assert record.contact_method == "they_will_ring" and not record.urgent

    who = "e2e-cro-email"
    say(url, who, "can a childrens rights officer ring me back", meta)
    asked = say(url, who, "Jo", meta)
    assert "phone number or email" in texts(say(url, who, button_payload(asked, "email"), meta))
    replies = say(url, who, "jo@example.org", meta)
    assert "stopped" not in texts(replies) and "safe time" in texts(replies)
    say(url, who, "after school", meta)
    say(url, who, "my placement is too far from school", meta)
    reference = REFERENCE.search(texts(say(url, who, "/affirm", meta))).group(0)
    record = triage(stack).get("coventry", reference)
    assert record.contact_method == "email" and record.contact_detail == "jo@example.org"

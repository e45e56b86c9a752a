"""The chat widget and the young carers' app in a real browser (headless Chromium), against the
pages `make run` serves, at desktop (1280x800) and phone (375x667) sizes. Screenshots go to
build/screenshots/ for a person to look at; the axe-core report goes beside them.

The chat server's contract (400 with a reason, 429 with the numbers, an empty answer, Delete this
chat, the exit beacon) is also tested with the chat server's answers set by the test
(Playwright's page.route), so that each case happens exactly as written."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from knowledge import paths
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS

SIZES = {"desktop": DESKTOP, "phone": PHONE}
EXIT_URL = "https://www.bbc.co.uk/weather"  # the GOV.UK component's default neutral page
AXE = paths.ROOT / "node_modules" / "axe-core" / "axe.min.js"
MASH = "024 7678 8555"  # Coventry's safeguarding hub, as the knowledge base gives it
WORRIED = "who do I call if I'm worried about a child"


def new_page(browser, size: str = "desktop", **options) -> Page:
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone",
                                  **options)
    # The neutral page stands in for the real weather site: this machine has no internet.
    context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!DOCTYPE html><title>Weather</title><h1>Weather</h1>"))
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    return page


def open_chat(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Open chat").click()
    expect(page.get_by_role("log")).to_contain_text("If a child is in danger now, call 999")


def ask(page: Page, text: str) -> None:
    before = page.locator(".fh-bot").count()
    page.get_by_role("textbox", name=re.compile("message", re.I)).fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".fh-bot")).not_to_have_count(before, timeout=20_000)
    expect(page.locator(".fh-typing")).to_be_hidden(timeout=20_000)


# The part of the open chat where the conversation can be read: below the top bar (title, Delete,
# Close, Exit this page), above the message box while that stays in view, inside the screen.
READING_AREA = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  const panel = box('.fh-panel'), top = Math.max(0, box('.fh-top').bottom), form = document.querySelector('.fh-form');
  let bottom = Math.min(panel.bottom, window.innerHeight);
  if (getComputedStyle(form).position === 'sticky') { bottom = Math.min(bottom, form.getBoundingClientRect().top); }
  return {top: top, bottom: bottom, height: bottom - top};
}"""


def reading_area(page: Page) -> dict:
    return page.evaluate(READING_AREA)


def chat_exit(page: Page):
    """The chat's own Exit this page button (the page has one of its own too)."""
    return page.locator(".fh-panel").get_by_role("button", name=re.compile("Exit this page"))


def stored_chat(page: Page) -> str:
    return page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('familyHelp.'))"
                         ".map(k => sessionStorage.getItem(k)).join('')")


def sender_id(page: Page) -> str:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('familyHelp.chat')).sender")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_ask_quick_reply_reload_and_delete(stack, browser, size):
    page = new_page(browser, size)
    open_chat(page, stack.web_url)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("automated assistant")

    ask(page, WORRIED)
    phone = log.get_by_role("link", name=MASH).first
    expect(phone).to_have_attribute("href", "tel:" + MASH.replace(" ", ""))
    if size == "phone":  # a long reply is shown from its start, not scrolled to its end
        before = log.locator(".fh-bot").count()
        ask(page, "what is early help")
        first = log.locator(".fh-bot").nth(before)
        top = first.bounding_box()["y"]
        view = reading_area(page)
        assert view["top"] - 1 <= top < view["top"] + view["height"] / 2, (top, view)
    if size == "phone":  # the open chat fills a phone's screen
        box = page.locator(".fh-panel").bounding_box()
        assert box["width"] >= PHONE["width"] - 1 and box["height"] >= PHONE["height"] - 1
    page.screenshot(path=str(SCREENSHOTS / f"widget-{size}.png"))

    if size == "desktop":  # an answer's source is a link named by its title, not a raw web address
        ask(page, "what is early help")
        source = log.get_by_role("link", name=re.compile(r"^Coventry City Council: ")).last
        expect(source).to_have_attribute("href", re.compile(r"^https?://"))
        expect(log).not_to_contain_text("](http")

    ask(page, "hello")
    quick = page.get_by_role("group", name="Suggested replies").last
    before = log.locator(".fh-bot").count()
    quick.get_by_role("button", name="How do I complain?").click()
    expect(log.locator(".fh-me").last).to_have_text(re.compile("How do I complain"))
    expect(log.locator(".fh-bot")).not_to_have_count(before, timeout=20_000)
    answer = " ".join(log.locator(".fh-bot").all_inner_texts()[before:])
    assert "complain" in answer.lower(), answer

    page.reload()
    expect(page.get_by_role("log")).to_contain_text(WORRIED)  # kept in this tab across the reload
    expect(page.get_by_role("log").get_by_role("link", name=MASH).first).to_be_visible()

    old_id = sender_id(page)
    page.get_by_role("button", name="Delete this chat").click()  # on the real service
    expect(page.locator(".fh-notice")).to_contain_text("deleted from the service and from this browser",
                                                       timeout=20_000)
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    assert WORRIED not in stored_chat(page) and sender_id(page) != old_id  # a new conversation
    page.reload()  # the panel stays open, with only the opening line
    expect(page.get_by_role("log")).to_contain_text("automated assistant")
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    page.context.close()


def test_what_happens_next_shows_steps(stack, browser):
    page = new_page(browser)
    open_chat(page, stack.web_url)
    ask(page, "what happens next?")
    page.get_by_role("group", name="Suggested replies").last.get_by_role("button", name="A referral").click()
    steps = page.locator(".fh-steps li")
    expect(steps.first).to_be_visible(timeout=20_000)
    assert steps.count() >= 2
    expect(page.locator(".fh-step-when").first).to_contain_text("Within")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Tell me the date")  # the message after the steps is kept
    first_step = steps.first.locator(".fh-step-text").inner_text()
    assert log.inner_text().count(first_step) == 1  # the list replaced the text version, no repeat
    page.screenshot(path=str(SCREENSHOTS / "widget-timeline-desktop.png"))
    page.context.close()


@pytest.mark.parametrize("how", ["button", "shift three times"])
def test_quick_exit_leaves_no_way_back(stack, browser, how):
    page = new_page(browser)
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    if how == "button":
        chat_exit(page).click()
    else:
        page.get_by_role("textbox", name=re.compile("message", re.I)).focus()
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL + "**")
    page.go_back()
    assert not page.url.startswith(stack.web_url), "Back returned to the chat"
    page.goto(stack.web_url)  # same tab, same origin: its sessionStorage would still hold the chat
    assert stored_chat(page) == ""
    page.get_by_role("button", name="Open chat").click()
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    page.context.close()


def test_escape_closes_the_chat_but_does_not_leave(stack, browser):
    page = new_page(browser)
    open_chat(page, stack.web_url)
    page.get_by_role("textbox", name=re.compile("message", re.I)).focus()
    page.keyboard.press("Escape")
    expect(page.locator(".fh-panel")).to_be_hidden()
    page.wait_for_timeout(1000)  # a navigation would have started by now
    assert page.url.startswith(stack.web_url)
    expect(page.get_by_role("button", name="Open chat")).to_be_focused()
    page.context.close()


def test_quick_exit_from_a_second_page_leaves_nothing_to_go_back_to(stack, browser):
    """Back after an exit reaches the page before, perhaps from the browser's cache: it must not
    show the conversation either."""
    page = new_page(browser)
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    page.goto(stack.web_url + "/app")  # another page with the chat, in the same tab
    expect(page.get_by_role("log")).to_contain_text(WORRIED)
    chat_exit(page).click()
    page.wait_for_url(EXIT_URL + "**")
    page.go_back()
    if page.url.startswith(stack.web_url):
        expect(page.locator(".fh-log")).not_to_contain_text(WORRIED)  # open or closed, it is not there
        assert stored_chat(page) == ""
    page.context.close()


def test_app_on_a_phone_works_and_opens_offline(stack, browser):
    page = new_page(browser, "phone", service_workers="allow")
    page.goto(stack.web_url + "/app")
    expect(page.get_by_role("log")).to_contain_text("If a child is in danger now, call 999")
    ask(page, WORRIED)
    expect(page.get_by_role("log").get_by_role("link", name=MASH).first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "app-phone.png"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the service worker now controls the page and has cached it

    page.context.set_offline(True)
    page.reload()
    offline = page.get_by_role("region", name="You are offline")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("needs an internet connection")
    for number in ("999", "0800 1111", MASH):
        expect(offline.get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("#chat")).to_be_hidden()
    leave = offline.get_by_role("button", name=re.compile("Exit this page"))  # Exit this page offline too
    expect(leave).to_be_visible()
    assert leave.bounding_box()["height"] >= 44
    page.screenshot(path=str(SCREENSHOTS / "app-phone-offline.png"))
    assert stored_chat(page) != ""
    leave.click()  # it forgets the chat and leaves
    page.wait_for_url(EXIT_URL + "**")
    page.context.set_offline(False)
    page.goto(stack.web_url + "/app")
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/staying-safe", "/app"])
def test_exit_this_page_on_every_page_button_and_shift_three_times(stack, browser, path):
    """On a phone: a button at least 44 px tall that leaves, and the hint says to tap it. On a
    computer: Shift pressed 3 times leaves, with the chat closed too, and forgets the chat."""
    phone = new_page(browser, "phone")
    phone.goto(stack.web_url + path)
    button = phone.get_by_role("button", name=re.compile("Exit this page")).first
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    if path != "/staying-safe":  # the chat's hint tells a phone to tap
        if path == "/":
            phone.get_by_role("button", name="Open chat").click()
        expect(phone.locator(".fh-hint")).to_contain_text("tap")
        assert chat_exit(phone).bounding_box()["height"] >= 44
    button.click()
    phone.wait_for_url(EXIT_URL + "**")
    phone.context.close()

    page = new_page(browser)
    FakeChat(page, stack.rasa_url, stack.web_url, [(200, ANSWER)])
    beacons = []
    page.context.on("request", lambda r: beacons.append(r) if r.url.endswith("/webhooks/rest/delete") else None)
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    sender = sender_id(page)
    if path == "/":
        page.get_by_role("button", name="Close chat").click()  # the chat closed: Shift x3 still leaves
    else:
        page.goto(stack.web_url + path)
    expect(page.get_by_role("button", name=re.compile("Exit this page")).first).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL + "**")
    page.go_back()
    assert not page.url.startswith(stack.web_url + path) or path == "/staying-safe" and not stored_chat(page)
    page.goto(stack.web_url)
    assert stored_chat(page) == ""
    assert any(json.loads(b.post_data) == {"sender": sender} for b in beacons)
    page.context.close()


def test_message_is_shown_as_text_and_runs_nothing(stack, browser):
    page = new_page(browser)
    open_chat(page, stack.web_url)
    attack = "<img src=x onerror=alert(1)>"
    ask(page, attack)
    log = page.get_by_role("log")
    expect(log.locator(".fh-me").last).to_contain_text(attack)
    assert log.locator("img").count() == 0
    page.reload()  # and again when the stored conversation is drawn back
    expect(page.get_by_role("log").locator(".fh-me").last).to_contain_text(attack)
    assert page.get_by_role("log").locator("img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.context.close()


def test_keyboard_only(stack, browser):
    page = new_page(browser)
    page.goto(stack.web_url)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Open chat":
            break
    else:
        pytest.fail("Tab never reached the Open chat button")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "fh-input"  # focus moves to the message box
    page.keyboard.type(WORRIED)
    page.keyboard.press("Enter")
    expect(page.get_by_role("log").get_by_role("link", name=MASH).first).to_be_visible(timeout=20_000)
    assert page.evaluate("() => document.activeElement.id") == "fh-input"
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    quick = page.get_by_role("group", name="Suggested replies").last
    expect(quick).to_be_visible(timeout=20_000)
    first = quick.get_by_role("button").first
    title = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".fh-me").last).to_have_text(re.compile(re.escape(title)), timeout=20_000)
    page.keyboard.press("Escape")  # closes the panel and puts focus back on the launcher
    expect(page.locator(".fh-panel")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Open chat"
    page.context.close()


def test_cors_allows_the_widget_origin_only(stack):
    def preflight(origin: str) -> str | None:
        req = urllib.request.Request(stack.rasa_url + "/webhooks/rest/webhook", method="OPTIONS",
                                     headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.headers.get("Access-Control-Allow-Origin")

    assert preflight(stack.web_url) == stack.web_url
    assert preflight("http://elsewhere.example") is None


def test_pages_never_carry_the_api_token(stack):
    for path in ("/", "/app", "/widget/static/family-help.js"):
        with urllib.request.urlopen(stack.web_url + path, timeout=10) as r:
            assert "test-token" not in r.read().decode()


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core (from npm) on the page as it is now (the page needs bypass_csp=True)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
                           "'wcag22aa', 'best-practice']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "targets": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def assert_no_serious_violations(found: dict[str, list[dict]], report: str) -> None:
    """Save the whole axe report beside the screenshots; fail on any serious or critical violation."""
    (SCREENSHOTS / report).write_text(json.dumps(found, indent=2))
    serious = {name: [v for v in vs if v["impact"] in ("serious", "critical")] for name, vs in found.items()}
    assert not any(serious.values()), json.dumps(serious, indent=2)


def test_accessibility_scan(stack, browser):
    """axe-core on every page the widget shows: no serious or critical violations."""
    page = new_page(browser, bypass_csp=True)  # so axe's script can be injected
    found = {}

    def scan(name: str) -> None:
        found[name] = axe_violations(page)

    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    ask(page, "hello")
    scan("demo page with the chat open")
    page.route(stack.rasa_url + "/webhooks/rest/delete", lambda route: route.fulfill(
        status=503, headers={"Access-Control-Allow-Origin": stack.web_url}, body="{}"))
    page.get_by_role("button", name="Delete this chat").click()
    expect(page.locator(".fh-notice").get_by_role("button", name="Try again")).to_be_visible()
    page.get_by_role("textbox", name=re.compile("message", re.I)).fill("a" * 1990)
    expect(page.locator(".fh-count")).to_be_visible()
    scan("chat with a notice and the character count")
    page.unroute(stack.rasa_url + "/webhooks/rest/delete")
    page.goto(stack.web_url + "/staying-safe")
    scan("staying safe online")
    page.context.close()
    # The app in a conversation of its own: "what happens next?" with nothing asked before offers the steps
    # (after a topic it would say what comes next for that topic instead)
    page = new_page(browser, bypass_csp=True)
    page.goto(stack.web_url + "/app")
    ask(page, "what happens next?")
    page.get_by_role("group", name="Suggested replies").last.get_by_role("button", name="A referral").click()
    expect(page.locator(".fh-steps li").first).to_be_visible(timeout=20_000)
    scan("app")
    page.context.close()
    assert_no_serious_violations(found, "axe-report.json")


def test_server_down_keeps_the_message_and_retries(stack, browser):
    """Runs last in this file: it stops the Rasa server and starts it again."""
    page = new_page(browser, "phone")
    open_chat(page, stack.web_url)
    stack.stop("rasa")
    try:
        box = page.get_by_role("textbox", name=re.compile("message", re.I))
        box.fill(WORRIED)
        page.get_by_role("button", name="Send").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("not answering", timeout=20_000)
        for number in ("999", "0800 1111", MASH):
            expect(alert.get_by_role("link", name=number)).to_be_visible()
        expect(box).to_have_value(WORRIED)  # nothing the person typed is lost
        page.screenshot(path=str(SCREENSHOTS / "widget-phone-server-down.png"))
    finally:
        stack.start_rasa()
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("log").get_by_role("link", name=MASH).first).to_be_visible(timeout=20_000)
    expect(page.get_by_role("textbox", name=re.compile("message", re.I))).to_have_value("")
    expect(page.get_by_role("alert")).to_be_hidden()
    page.context.close()


# --- the chat server's contract, with its answers set by the test ------------------------------
NOTICE = ".fh-notice"


class FakeChat:
    """Answers the widget's requests to the chat server (Rasa) as the test says, and records them.
    ``replies``: what POST /webhooks/rest/webhook answers, as (status, body) in turn, the last one
    repeated; ``deletes``: the same for POST /webhooks/rest/delete (None: never answer)."""

    def __init__(self, page: Page, rasa_url: str, web_url: str, replies: list, deletes: list | None = None):
        self.replies, self.deletes = list(replies), list(deletes or [(200, {"deleted": True})])
        self.sent: list[dict] = []
        self.delete_requests: list[dict] = []
        self.cors = {"Access-Control-Allow-Origin": web_url, "Access-Control-Allow-Headers": "Content-Type",
                     "Access-Control-Allow-Methods": "POST, OPTIONS"}
        page.route(rasa_url + "/webhooks/rest/webhook", self.webhook)
        page.route(rasa_url + "/webhooks/rest/delete", self.delete)

    def _answer(self, route, answers: list) -> None:
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        route.fulfill(status=status, headers=self.cors, content_type="application/json", body=json.dumps(body))

    def webhook(self, route, request) -> None:
        if request.method == "OPTIONS":
            return route.fulfill(status=204, headers=self.cors)
        self.sent.append(json.loads(request.post_data))
        self._answer(route, self.replies)

    def delete(self, route, request) -> None:
        self.delete_requests.append({"method": request.method, "type": request.headers.get("content-type", ""),
                                     "body": request.post_data})
        if self.deletes[0] is None:
            return  # never answered (the exit must not wait for it)
        self._answer(route, self.deletes)


ANSWER = [{"text": "You can call the council on 024 7678 8555."}]
TOO_FAST = [{"text": "You are sending messages very fast. Please wait a minute, then try again."},
            {"text": "If a child is in danger now, call 999. Childline: 0800 1111."}]


def box(page: Page):
    return page.get_by_role("textbox", name=re.compile("message", re.I))


def send(page: Page, text: str) -> None:
    box(page).fill(text)
    page.get_by_role("button", name="Send").click()


def test_the_message_limit_is_enforced_and_said_before_it_is_reached(stack, browser):
    page = new_page(browser, "phone")
    open_chat(page, stack.web_url)
    expect(box(page)).to_have_attribute("maxlength", "2000")
    count = page.locator(".fh-count")
    box(page).fill("a" * 1500)
    expect(count).to_be_hidden()
    box(page).fill("a" * 1700)
    expect(count).to_be_visible()
    expect(count).to_have_text("You have 300 characters left.")
    box(page).press("End")
    page.keyboard.type("b" * 400)  # typing stops at the limit, and the box says so
    assert len(box(page).input_value()) == 2000
    expect(count).to_contain_text("You have used all 2,000 characters")
    page.screenshot(path=str(SCREENSHOTS / "widget-phone-limit.png"))
    box(page).fill("short")
    expect(count).to_be_hidden()
    page.context.close()


def test_a_refused_message_shows_the_reason_and_keeps_what_was_typed(stack, browser):
    page = new_page(browser)
    reason = "Your message is too long. Please send it in shorter parts."
    FakeChat(page, stack.rasa_url, stack.web_url, [(400, {"error": reason})])
    open_chat(page, stack.web_url)
    send(page, WORRIED)
    expect(page.locator(NOTICE)).to_have_text(reason)
    expect(box(page)).to_have_value(WORRIED)
    expect(page.locator(".fh-error")).to_be_hidden()  # not the failure box
    expect(page.locator(".fh-me")).to_have_count(0)
    page.context.close()


def test_an_empty_reply_is_a_failure_with_the_numbers_and_try_again(stack, browser):
    page = new_page(browser)
    fake = FakeChat(page, stack.rasa_url, stack.web_url, [(200, []), (200, ANSWER)])
    open_chat(page, stack.web_url)
    send(page, WORRIED)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("did not answer", timeout=10_000)
    for number in ("999", "0800 1111", MASH):
        expect(alert.get_by_role("link", name=number)).to_be_visible()
    expect(box(page)).to_have_value(WORRIED)
    assert "no answer for that" not in page.get_by_role("log").inner_text()
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("log")).to_contain_text("You can call the council")
    expect(page.locator(".fh-me")).to_have_text([re.compile(re.escape(WORRIED))])
    expect(box(page)).to_have_value("")
    expect(page.get_by_role("alert")).to_be_hidden()
    assert [m["message"] for m in fake.sent] == [WORRIED, WORRIED]
    page.context.close()


def test_rate_limited_shows_the_services_reply_and_the_numbers(stack, browser):
    page = new_page(browser, "phone")
    FakeChat(page, stack.rasa_url, stack.web_url, [(429, TOO_FAST)])
    open_chat(page, stack.web_url)
    send(page, WORRIED)
    log = page.get_by_role("log")
    expect(log.locator(".fh-bot").last).to_contain_text("Childline")
    expect(log).to_contain_text("wait a minute")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Wait a minute")
    for number in ("999", "0800 1111", MASH):
        expect(alert.get_by_role("link", name=number)).to_be_visible()
    expect(box(page)).to_have_value(WORRIED)
    page.screenshot(path=str(SCREENSHOTS / "widget-phone-rate-limited.png"))
    page.context.close()


def test_delete_this_chat_asks_the_service_then_clears_the_browser(stack, browser):
    page = new_page(browser)
    fake = FakeChat(page, stack.rasa_url, stack.web_url, [(200, ANSWER)],
                    deletes=[(500, {"error": "no"}), (503, {}), (200, {"deleted": True})])
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    old_id = sender_id(page)
    page.get_by_role("button", name="Delete this chat").click()
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("could not delete this chat from the service")
    expect(page.get_by_role("log")).to_contain_text(WORRIED)  # kept here until the service has deleted it
    assert WORRIED in stored_chat(page)
    notice.get_by_role("button", name="Try again").click()
    expect(notice).to_contain_text("could not delete")
    expect(notice.get_by_role("button", name="Try again")).to_be_visible()
    notice.get_by_role("button", name="Try again").click()
    expect(notice).to_have_text("This chat has been deleted from the service and from this browser.")
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    assert WORRIED not in stored_chat(page) and sender_id(page) != old_id
    assert len(fake.delete_requests) == 3
    for request in fake.delete_requests:  # text/plain: a "simple" request, no CORS preflight
        assert request["method"] == "POST" and request["type"].startswith("text/plain")
        assert json.loads(request["body"]) == {"sender": old_id}
    page.screenshot(path=str(SCREENSHOTS / "widget-deleted-desktop.png"))
    page.context.close()


def test_when_the_service_cannot_delete_the_person_may_clear_this_browser_only(stack, browser):
    page = new_page(browser)
    FakeChat(page, stack.rasa_url, stack.web_url, [(200, ANSWER)], deletes=[(200, {"deleted": False})])
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    page.get_by_role("button", name="Delete this chat").click()
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("could not delete")
    assert WORRIED in stored_chat(page)
    notice.get_by_role("button", name="Clear it from this browser only").click()
    expect(notice).to_contain_text("cleared from this browser only")
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    assert WORRIED not in stored_chat(page)
    page.context.close()


def test_delete_my_chat_in_the_conversation_clears_the_browser_after_the_reply(stack, browser):
    page = new_page(browser)
    done = [{"text": "I have deleted this chat. Nothing you said here is kept."},
            {"custom": {"type": "conversation_deleted"}}]
    FakeChat(page, stack.rasa_url, stack.web_url, [(200, ANSWER), (200, done)])
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    old_id = sender_id(page)
    send(page, "delete my chat")
    log = page.get_by_role("log")
    expect(log).to_contain_text("I have deleted this chat")  # the reply is shown...
    expect(log.locator(".fh-bot")).to_have_count(2)  # the opening line and that reply
    expect(log).not_to_contain_text(WORRIED)  # ...and the chat before it is gone
    expect(log).not_to_contain_text("delete my chat")
    stored = stored_chat(page)
    assert WORRIED not in stored and "delete my chat" not in stored and sender_id(page) != old_id
    page.reload()
    expect(page.get_by_role("log")).not_to_contain_text(WORRIED)
    page.context.close()


def test_exit_asks_the_service_to_delete_without_waiting(stack, browser):
    page = new_page(browser)
    fake = FakeChat(page, stack.rasa_url, stack.web_url, [(200, ANSWER)], deletes=[None])  # never answers
    beacons = []
    page.context.on("request", lambda r: beacons.append(r) if r.url.endswith("/webhooks/rest/delete") else None)
    open_chat(page, stack.web_url)
    ask(page, WORRIED)
    sender = sender_id(page)
    started = time.monotonic()
    chat_exit(page).click()
    page.wait_for_url(EXIT_URL + "**")
    assert time.monotonic() - started < 5  # the exit did not wait for the service
    deadline = time.monotonic() + 5
    while not beacons and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert beacons, "no delete request was sent on exit"
    assert beacons[0].method == "POST" and json.loads(beacons[0].post_data) == {"sender": sender}
    assert beacons[0].headers.get("content-type", "").startswith("text/plain")
    assert fake.sent  # (the chat itself went through the fake)
    page.context.close()


@pytest.fixture(scope="module", autouse=True)
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

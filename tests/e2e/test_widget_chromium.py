"""The embeddable chat widget in headless Chromium, against the real API served by uvicorn over the real corpus.

The browser and the server are the fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.render import gives
from tests.conftest import free_port
from tests.helpers.server import ServerThread

QUESTION = "我家房子漏雨能修吗"
SCREENSHOT = Path("/tmp/widget-screenshot.png")
WAIT = 30.0


class Widget:
    """The demo page and the widget inside its shadow root, with explicit waits."""

    def __init__(self, driver: Any, api: str) -> None:
        self.driver = driver
        self.api = api

    def load(self, query: str = "") -> Widget:
        self.driver.get_log("browser")  # start each page with an empty console
        self.driver.get(f"{self.api}/{query}")
        self.wait(lambda: self.find(".bubble").is_displayed(), "the chat bubble did not appear")
        return self

    @property
    def host(self) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, "bangfu-widget")

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.host.shadow_root.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.host.shadow_root.find_elements(By.CSS_SELECTOR, css))

    def wait(self, condition: Callable[[], Any], message: str, timeout: float = WAIT) -> Any:
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(
            self.driver,
            timeout,
            ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
        ).until(lambda _: condition(), message)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, self.host, *args)

    def focused(self) -> str:
        """Class of the element focused inside the widget ('' when none)."""
        return str(self.js("const a = arguments[0].shadowRoot.activeElement; return a ? a.className : '';"))

    def open(self) -> None:
        self.find(".bubble").click()
        self.wait(lambda: self.find(".panel").is_displayed(), "the panel did not open")

    def ask(self, question: str) -> Any:
        before = len(self.find_all(".answer, .msg.err"))
        box = self.find(".foot form input")
        box.send_keys(question)
        self.find(".foot form button[type=submit]").click()
        self.wait(
            lambda: len(self.find_all(".answer, .msg.err")) > before,
            f"no answer to {question!r}",
        )
        return self.find_all(".answer, .msg.err")[-1]

    def step(self) -> str:
        """The current eligibility question's step label ('' when results show)."""
        steps = self.find_all(".qt .step")
        return steps[0].text if steps else ""

    def console_errors(self) -> list[dict[str, Any]]:
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.fixture
def widget(driver: Any, api: str) -> Widget:
    return Widget(driver, api)


def test_widget_and_demo_page_are_served(api: str) -> None:
    js = httpx.get(f"{api}/widget.js")
    assert js.status_code == 200
    assert js.headers["content-type"] == "application/javascript; charset=utf-8"
    assert "max-age=300" in js.headers["cache-control"]
    assert len(js.content) < 24 * 1024, "the widget should stay small (under 24 KiB)"
    with httpx.stream("GET", f"{api}/widget.js", headers={"Accept-Encoding": "gzip"}) as sent:
        assert sent.headers["content-encoding"] == "gzip"
        assert len(b"".join(sent.iter_raw())) < 8 * 1024, "a phone downloads under 8 KiB"
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text
    page = httpx.get(f"{api}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for text in ("widget.js", "data-api-key", "/docs", "/v1/chat/completions", 'data-env="development"'):
        assert text in page.text
    paths = httpx.get(f"{api}/openapi.json").json()["paths"]
    assert "/" not in paths and "/widget.js" not in paths


def test_ask_shows_answer_and_expands_citation(widget: Widget, api: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    expected = httpx.post(f"{api}/v1/ask", json={"question": QUESTION}, timeout=30).json()
    assert expected["citations"], "the corpus should answer this question with citations"
    widget.load()
    snippet = widget.driver.execute_script("return document.getElementById('snippet').textContent")
    assert f'src="{api}/widget.js"' in snippet

    widget.open()
    panel = widget.find(".panel")
    assert panel.get_attribute("role") == "dialog"
    assert panel.get_attribute("aria-modal") == "false"
    assert panel.size["width"] < 600, "on a wide screen the panel floats"
    assert widget.focused() == "q", "opening the panel should focus the question box"

    answer = widget.ask(QUESTION)
    assert "answer" in answer.get_attribute("class"), answer.text
    # The answer text is the API's, character for character, with each [n] turned into a button.
    assert answer.find_element("css selector", ".text").get_property("textContent") == expected["answer"]
    markers = answer.find_elements("css selector", ".text .cite")
    assert markers, "the [n] markers should be buttons"
    marker = markers[0]
    n = int(marker.text.strip("[]"))
    cited = next(c for c in expected["citations"] if c["n"] == n)
    quote = widget.find("#" + marker.get_attribute("aria-controls"))
    assert not quote.is_displayed()

    marker.click()
    widget.wait(quote.is_displayed, "tapping the marker should show the passage")
    assert f"《{cited['title']}》" in quote.text
    if cited["doc_number"]:
        assert cited["doc_number"] in quote.text
    if cited["section"]:
        assert cited["section"] in quote.text
    assert cited["text"].splitlines()[0][:20] in quote.text
    assert marker.get_attribute("aria-expanded") == "true"
    chip = answer.find_element("css selector", f".chip[aria-controls='{quote.get_attribute('id')}']")
    assert chip.get_attribute("aria-expanded") == "true"
    assert chip.size["height"] >= 44

    marker.click()
    widget.wait(lambda: not quote.is_displayed(), "tapping the marker again should hide the passage")
    chip.click()
    widget.wait(quote.is_displayed, "tapping the citation chip should show the passage")

    widget.driver.save_screenshot(str(tmp_path / "widget-answer.png"))
    shutil.copyfile(tmp_path / "widget-answer.png", SCREENSHOT)

    widget.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    widget.wait(lambda: not widget.find(".panel").is_displayed(), "Esc should close the panel")
    assert widget.find(".bubble").is_displayed()
    assert widget.focused() == "bubble", "closing should give focus back to the bubble"
    assert widget.console_errors() == []


def test_abstention_is_shown_plainly(widget: Widget, api: str) -> None:
    question = "火星上怎么种土豆"
    expected = httpx.post(f"{api}/v1/ask", json={"question": question}, timeout=30).json()
    assert expected["abstained"]
    widget.load()
    widget.open()
    answer = widget.ask(question)
    assert "abstain" in answer.get_attribute("class")
    assert answer.text == expected["answer"]
    assert answer.find_elements("css selector", ".cite, .chip") == []
    assert widget.console_errors() == []


def test_a_follow_up_is_read_in_the_widgets_conversation(widget: Widget, api: str) -> None:
    """The widget sends the conversation_id back: 那要带什么材料 is answered about the loan asked before."""
    alone = httpx.post(f"{api}/v1/ask", json={"question": "那要带什么材料"}, timeout=30).json()
    assert alone["clarify"], "asked alone, a topic-less follow-up asks back"
    widget.load()
    widget.open()
    widget.ask("脱贫户贷款最多能贷多少")
    answer = widget.ask("那要带什么材料")
    assert "借款人及配偶的身份证" in answer.text
    # a new page is a new conversation: the same follow-up asks back, with one button per likely measure
    widget.load()
    widget.open()
    answer = widget.ask("那要带什么材料")
    buttons = answer.find_elements("css selector", "button.wide")
    assert [b.text for b in buttons[: len(alone["clarify"])]] == [c["name"] for c in alone["clarify"]]
    before = len(widget.find_all(".answer"))
    buttons[0].click()
    widget.wait(lambda: len(widget.find_all(".answer")) > before, "the choice was not asked")
    assert widget.find_all(".msg.me")[-1].text == alone["clarify"][0]["question"]
    assert widget.console_errors() == []


AGE = 40  # typed when a number question has no answer buttons


def _answer(question: dict[str, Any]) -> dict[str, Any]:
    """The facts the test's user gives: the first button; a checklist with nothing ticked; age 40."""
    if question.get("kind") == "checklist":
        return {o["fact"]: False for o in question["options"]}
    if not question["options"]:
        return {question["fact"]: AGE}
    return {question["fact"]: question["options"][0]["value"]}


def _interview(api: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The API's questions, and its final answer, for the test's user (see `_answer`)."""
    facts: dict[str, Any] = {}
    questions = []
    while True:
        response = httpx.post(f"{api}/v1/eligibility", json={"facts": facts}, timeout=30)
        assert response.status_code == 200, response.text
        question = response.json()["next_question"]
        if question is None:
            return questions, response.json()
        questions.append(question)
        facts.update(_answer(question))
        assert len(questions) < 40, "the interview should end"


def _answer_in_widget(widget: Widget, question: dict[str, Any]) -> None:
    """Answer the question on screen the way `_answer` does, with the widget's buttons."""
    if question.get("kind") == "checklist":
        done = widget.find(".body:not([hidden]) .primary.wide")
        assert done.text == "选好了"
        done.click()
    elif not question["options"]:
        widget.find(".row input[type=number]").send_keys(str(AGE))
        widget.find(".row button").click()
    else:
        widget.find_all(".opt")[0].click()


def _shows(widget: Widget, number: int, question: dict[str, Any]) -> None:
    """Wait for question `number` and check it is the API's question with the API's options."""
    widget.wait(lambda: widget.step() == f"第{number}题", f"question {number} did not show")
    assert question["question"] in widget.find(".qt").text
    if question.get("kind") == "checklist":
        assert [t.text for t in widget.find_all(".tick")] == [o["label"] for o in question["options"]]
    else:
        assert [b.text for b in widget.find_all(".opt")] == [o["label"] for o in question["options"]]


def test_quick_eligibility_check_to_the_results(widget: Widget, api: str) -> None:
    questions, final = _interview(api)
    assert len(questions) >= 3
    widget.load()
    widget.open()
    widget.find(".foot .secondary.wide").click()  # 看看我能享受哪些政策
    _shows(widget, 1, questions[0])
    assert min(b.size["height"] for b in widget.find_all(".opt, .tick")) >= 44
    for i in range(3):
        _answer_in_widget(widget, questions[i])
        _shows(widget, i + 2, questions[i + 1])

    widget.find(".foot:not([hidden]) .secondary").click()  # 上一题
    _shows(widget, 3, questions[2])
    for i in range(2, len(questions)):
        _answer_in_widget(widget, questions[i])
        if i + 1 < len(questions):
            _shows(widget, i + 2, questions[i + 1])
    widget.wait(lambda: widget.find(".card.yes").is_displayed(), "the results did not show")

    eligible = [r for r in final["results"] if r["status"] == "eligible"]
    ineligible = [r for r in final["results"] if r["status"] == "ineligible"]
    assert widget.find(".qt").text == f"可以申请（{len(eligible)}项）"
    cards = widget.find_all(".card.yes")
    assert [c.find_element("css selector", ".name").text for c in cards] == [r["name"] for r in eligible]
    assert eligible[0]["reasons"][0] in cards[0].text
    # each card says what the measure gives, in the bot's words: 可以申请，每年1000元 / the catalog's amount text
    assert [c.find_element("css selector", ".gives").text for c in cards] == [gives(r) for r in eligible]
    assert any(r["amount_value"] for r in eligible) and "可以申请，每年1000元" in [gives(r) for r in eligible]
    folded = widget.find("details")
    summary = folded.find_element("css selector", "summary")
    assert summary.text == f"还不符合（{len(ineligible)}项）"
    assert folded.get_attribute("open") is None, "the ineligible measures start collapsed"
    assert not folded.find_element("css selector", ".card").is_displayed()
    summary.click()
    widget.wait(lambda: folded.find_element("css selector", ".card").is_displayed(), "no expand")

    buttons = widget.find_all(".foot:not([hidden]) .secondary")
    assert [b.text for b in buttons] == ["上一题", "重新开始", "回去问问题"]
    buttons[1].click()
    _shows(widget, 1, questions[0])
    widget.find_all(".foot:not([hidden]) .secondary")[2].click()
    widget.wait(lambda: widget.find(".foot form input").is_displayed(), "回去问问题 should show the box")
    assert widget.focused() == "q"
    assert widget.console_errors() == []


# Records what the widget sends (the responses pass through untouched).
RECORD_ELIGIBILITY = """
const real = window.fetch;
window.__sent = [];
window.fetch = function (url, init) {
  if (String(url).endsWith('/v1/eligibility')) window.__sent.push(JSON.parse(init.body));
  return real.apply(this, arguments);
};
"""


def test_checklist_sends_ticked_true_and_unticked_false(widget: Widget, api: str, tmp_path: Path) -> None:
    questions, _ = _interview(api)
    at = next(i for i, q in enumerate(questions) if q.get("kind") == "checklist")
    checklist = questions[at]
    widget.load()
    widget.driver.execute_script(RECORD_ELIGIBILITY)
    widget.open()
    widget.find(".foot .secondary.wide").click()
    for i in range(at):
        _shows(widget, i + 1, questions[i])
        _answer_in_widget(widget, questions[i])
    _shows(widget, at + 1, checklist)
    ticks = widget.find_all(".tick")
    assert min(t.size["height"] for t in ticks) >= 44
    ticks[0].click()
    widget.driver.save_screenshot(str(tmp_path / "widget-checklist.png"))
    assert widget.find_all(".tick input")[0].is_selected()
    assert not any(box.is_selected() for box in widget.find_all(".tick input")[1:])
    widget.find(".body:not([hidden]) .primary.wide").click()  # 选好了
    widget.wait(lambda: widget.step() in (f"第{at + 2}题", ""), "nothing showed after 选好了")

    before: dict[str, Any] = {}
    for question in questions[:at]:
        before.update(_answer(question))
    items = {o["fact"]: i == 0 for i, o in enumerate(checklist["options"])}
    sent = widget.driver.execute_script("return window.__sent")
    assert sent[at] == {"facts": before}
    assert sent[at + 1] == {"facts": {**before, **items}}
    assert widget.console_errors() == []


def test_wrong_key_gets_a_plain_message(widget: Widget) -> None:
    widget.load("?key=not-a-real-key")
    widget.open()
    reply = widget.ask(QUESTION)
    assert reply.text == "密钥无效，请告诉网站管理员。"
    assert reply.get_attribute("role") == "alert"
    errors = widget.console_errors()
    # Chromium reports the refused request itself; nothing else may fail.
    assert errors and all("401" in e["message"] for e in errors), errors


def test_rate_limit_message_honours_retry_after(driver: Any, corpus_services: Any) -> None:
    from api.app import create_app

    settings = corpus_services.settings.model_copy(update={"rate_limit_per_ip": "2/minute"})
    server = ServerThread(create_app(settings, services=corpus_services), free_port()).start()
    try:
        widget = Widget(driver, f"http://127.0.0.1:{server.port}").load()
        widget.driver.execute_script(
            "const real = window.fetch; window.__calls = 0;"
            "window.fetch = function () { window.__calls++; return real.apply(this, arguments); };"
        )
        widget.open()
        for _ in range(2):
            assert "answer" in widget.ask(QUESTION).get_attribute("class")
        refused = widget.ask(QUESTION)
        assert refused.text.startswith("使用太频繁，请稍后再试（大约"), refused.text
        # Within Retry-After the widget does not call the API again.
        again = widget.ask(QUESTION)
        assert again.text.startswith("使用太频繁，请稍后再试"), again.text
        assert widget.driver.execute_script("return window.__calls") == 3
        errors = widget.console_errors()
        assert errors and all("429" in e["message"] for e in errors), errors
    finally:
        server.stop()


def test_network_failure_and_script_attributes(widget: Widget, api: str) -> None:
    widget.driver.get(f"{api}/widget.js")  # any page of the server without the widget
    widget.driver.execute_script(
        "const s = document.createElement('script');"
        "s.src = arguments[0] + '/widget.js'; s.dataset.apiUrl = arguments[1]; s.dataset.title = '青禾县政策问答';"
        "document.body.append(s);",
        api,
        f"http://127.0.0.1:{free_port()}",  # nothing listens there
    )
    widget.wait(lambda: widget.find(".bubble").is_displayed(), "the widget did not load")
    widget.open()
    assert widget.find("h2").text == "青禾县政策问答"
    reply = widget.ask(QUESTION)
    assert reply.text == "连不上网，请看看手机信号或网络，再试一次。"
    # The script's own page has no favicon link, unlike the demo page.
    errors = [e for e in widget.console_errors() if "/favicon.ico " not in e["message"]]
    assert errors and all("ERR_CONNECTION_REFUSED" in e["message"] for e in errors), errors


def test_narrow_screen_full_width_and_host_css_cannot_break_it(widget: Widget, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    driver = widget.driver
    driver.set_window_size(375, 812)
    try:
        widget.wait(lambda: driver.execute_script("return window.innerWidth") == 375, "window not narrow")
        widget.load()
        # A hostile host page: tiny root font, every button hidden, all text forced small and red.
        driver.execute_script(
            "const s = document.createElement('style');"
            "s.textContent = 'html{font-size:10px} *{font-size:8px!important;color:red!important}"
            " button{display:none!important} div{position:static!important}';"
            "document.head.append(s);"
        )
        assert widget.find(".bubble").is_displayed()
        assert widget.find(".bubble").size["height"] >= 44
        widget.open()
        assert widget.find(".panel").get_attribute("aria-modal") == "true"
        rect = widget.js(
            "const r = arguments[0].shadowRoot.querySelector('.panel').getBoundingClientRect();"
            "return [r.left, r.top, r.width, r.height, innerWidth, innerHeight];"
        )
        left, top, width, height, inner_w, inner_h = rect
        assert (left, top) == (0, 0) and width == inner_w == 375 and height == inner_h
        size = widget.js(
            "return parseFloat(getComputedStyle(arguments[0].shadowRoot.querySelector('.w')).fontSize);"
        )
        assert size >= 17
        for css in (".close", ".foot form button", ".foot form input", ".foot .secondary.wide"):
            assert widget.find(css).size["height"] >= 44, css
        widget.find(".foot form input").send_keys(Keys.ESCAPE)
        widget.wait(lambda: not widget.find(".panel").is_displayed(), "Esc should close the panel")
        widget.open()
        marker = widget.ask(QUESTION).find_element("css selector", ".cite")
        assert marker.is_displayed()
        driver.save_screenshot(str(tmp_path / "widget-narrow.png"))
        shutil.copyfile(tmp_path / "widget-narrow.png", SCREENSHOT.with_name("widget-screenshot-narrow.png"))
        assert widget.console_errors() == []
    finally:
        driver.set_window_size(1280, 900)

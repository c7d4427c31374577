"""A fake Telegram Bot API server: real HTTP on 127.0.0.1, the methods the bot uses, every call recorded.

The bot under test talks to it exactly as to api.telegram.org (PTB's `base_url`), so the real `Application`
runs its real polling loop. Tests play Telegram users::

    fake = FakeTelegram(TOKEN).start()          # base_url: http://127.0.0.1:PORT/bot
    user = fake.user(1001, "王海燕")
    replies = user.send("/start")               # queued for getUpdates; waits for the bot's sendMessage
    user.press("查资格")                        # a callback query on the bot's last message with that button
    user.share_contact("13800000001")           # a contact (its user_id is the sender's unless given)
    user.send_photo(jpeg_bytes)                 # a photo (getFile and the file download serve its bytes)
    user.send_voice(ogg_bytes)                  # a voice note
    print(fake.transcript())
    fake.stop()

Like Telegram it refuses text that is not valid HTML in parse mode HTML, and text over 4,096 characters, so a
rendering or splitting mistake fails the test. `fail_next("sendMessage", retry_after=1)` answers the next such
call with 429 Too Many Requests.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

MAX_TEXT = 4096
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
JSON_PARAMS = {
    "chat_id", "message_id", "reply_markup", "commands", "scope", "allowed_updates", "offset", "limit",
    "timeout", "show_alert", "drop_pending_updates", "link_preview_options", "reply_parameters", "entities",
    "cache_time", "max_connections",
}  # fmt: skip
QUIET = {"getUpdates", "getMe", "deleteWebhook", "getWebhookInfo", "sendChatAction"}
_AMP = re.compile(r"&(?!#\d+;|#x[0-9A-Fa-f]+;|[A-Za-z]+;)")
_LT = re.compile(r"<(?!/?[A-Za-z][\w-]*[^<>]*>)")


class TelegramBadRequest(Exception):
    """What Telegram answers with 400."""


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramBadRequest(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramBadRequest(f"can't parse entities: can't find end tag corresponding to \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The plain text Telegram would show for `text` in parse mode HTML; TelegramBadRequest if it is invalid."""
    if _AMP.search(text) or _LT.search(text):
        raise TelegramBadRequest("can't parse entities: unescaped & or <")
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise TelegramBadRequest(f'can\'t parse entities: unclosed start tag "{checker.stack[-1]}"')
    return "".join(checker.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Event:
    """One thing the fake saw: an update it served, or a call the bot made."""

    kind: str  # "update" | "call"
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    """The server; thread-safe; one instance per test."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.bot_user = {
            "id": 700000001,
            "is_bot": True,
            "first_name": "帮扶通",
            "username": "bangfu_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.events: list[Event] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # as they are now, after edits
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.labels: dict[str, str] = {}  # callback query id → the label of the button pressed (transcripts)
        self._cond = threading.Condition()
        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._fail: dict[str, int] = {}
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    # -- what tests do ---------------------------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "用户") -> FakeUser:
        return FakeUser(self, user_id, first_name)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot's next getUpdates."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._pending.append(update)
            self.events.append(Event("update", params=update))
            self._cond.notify_all()
        return update

    def add_file(self, data: bytes, kind: str, suffix: str) -> dict[str, Any]:
        """Store a file users send; returns its file_id, file_unique_id and size, as Telegram describes one."""
        with self._cond:
            n = len(self.files) + 1
            file_id = f"{kind}-file-{n}"
            self.files[file_id] = (f"{kind}s/file_{n}.{suffix}", data)
        return {"file_id": file_id, "file_unique_id": f"u{n}", "file_size": len(data)}

    def fail_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call of `method` with 429 Too Many Requests (flood control)."""
        with self._cond:
            self._fail[method] = retry_after

    def calls(self, method: str | None = None) -> list[Event]:
        with self._cond:
            return [e for e in self.events if e.kind == "call" and (method is None or e.method == method)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out waiting for {what or 'the bot'}:\n{self.transcript()[-3000:]}"
                    )
                self._cond.wait(min(left, 0.5))

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message the bot sent to `chat_id`, in order, as first sent; `markup` is the reply_markup sent
        (Telegram shows a reply keyboard but does not echo it in the message)."""
        with self._cond:
            return [
                {**e.result, "markup": e.params.get("reply_markup")}
                for e in self.events
                if e.kind == "call"
                and e.method == "sendMessage"
                and e.error is None
                and e.result["chat"]["id"] == chat_id
            ]

    def transcript(self, *, verbose: bool = False) -> str:
        """The conversation as recorded: users' updates and the bot's calls (housekeeping calls left out)."""
        with self._cond:
            events = list(self.events)
        lines: list[str] = []
        for e in events:
            if e.kind == "update":
                lines.append(_describe_update(e.params, self.labels))
            elif verbose or e.method not in QUIET:
                lines.append(_describe_call(e))
        return "\n".join(lines)

    # -- the Bot API --------------------------------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":  # long polling, outside the lock while waiting
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._cond:
            event = Event("call", method=method, params=params)
            self.events.append(event)
            retry_after = self._fail.pop(method, None)
            if retry_after is not None:
                event.error = f"429 retry after {retry_after}"
                self._cond.notify_all()
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
            try:
                impl = getattr(self, f"_m_{method}", None)
                if impl is None:
                    event.error = "404 method not found"
                    return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
                event.result = impl(params)
                return 200, {"ok": True, "result": event.result}
            except TelegramBadRequest as exc:
                event.error = f"400 {exc}"
                return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
            finally:
                self._cond.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 5.0)
        with self._cond:
            self.events.append(Event("call", method="getUpdates", params=params))
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            while not self._pending and not self._closing and time.monotonic() < deadline:
                self._cond.wait(max(0.0, deadline - time.monotonic()))
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            return list(self._pending[: int(params.get("limit") or 100)])

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)] = params[
            "commands"
        ]
        return True

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True), None)
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise TelegramBadRequest("invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(data), "file_path": path}

    def file_content(self, path: str) -> bytes | None:
        with self._cond:
            return next((data for p, data in self.files.values() if p == path), None)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _check_text(self, params: dict[str, Any]) -> None:
        text = str(params.get("text") or "")
        shown = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise TelegramBadRequest("message text is empty")
        if utf16_len(shown) > MAX_TEXT:
            raise TelegramBadRequest("message is too long")
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise TelegramBadRequest("BUTTON_DATA_INVALID")

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_text(params)
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "用户"},
            "from": self.bot_user,
            "text": params["text"],
        }
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edited(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise TelegramBadRequest("message to edit not found")
        return self.messages[key]

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_text(params)
        message = self._edited(params)
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


class FakeUser:
    """A Telegram user in a private chat with the bot."""

    def __init__(self, fake: FakeTelegram, user_id: int, first_name: str) -> None:
        self.fake = fake
        self.id = user_id
        self.tg_user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}

    def _message(self, **fields: Any) -> dict[str, Any]:
        with self.fake._cond:
            message_id = next(self.fake._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.tg_user,
        }
        message.update(fields)
        return message

    def _settle(
        self, before: int, replies: int, query_id: str | None, timeout: float
    ) -> list[dict[str, Any]]:
        def done() -> bool:
            sent = self.fake.sent_to(self.id)
            if len(sent) < before + replies:
                return False
            if query_id is not None:
                return any(
                    e.method == "answerCallbackQuery" and e.params.get("callback_query_id") == query_id
                    for e in self.fake.events
                    if e.kind == "call"
                )
            return True

        self.fake.wait_for(done, timeout, what=f"{replies} replies to user {self.id}")
        time.sleep(0.05)  # let a stray extra reply show up in this step rather than the next
        return self.fake.sent_to(self.id)[before:]

    def wait_until(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 30.0) -> None:
        """Wait until `predicate(every message the bot sent this user)` holds."""
        self.fake.wait_for(lambda: predicate(self.fake.sent_to(self.id)), timeout, what=f"user {self.id}")

    def send(self, text: str, *, replies: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Send a text (a /command gets its bot_command entity) and wait for `replies` messages from the bot."""
        before = len(self.fake.sent_to(self.id))
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        self.fake.push({"message": self._message(**fields)})
        return self._settle(before, replies, None, timeout)

    def share_contact(
        self, phone: str, *, user_id: int | None = None, replies: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Share a contact card: one's own (user_id = the sender's) unless `user_id` says whose it is."""
        before = len(self.fake.sent_to(self.id))
        contact = {
            "phone_number": phone,
            "first_name": "联系人",
            "user_id": self.id if user_id is None else user_id,
        }
        self.fake.push({"message": self._message(contact=contact)})
        return self._settle(before, replies, None, timeout)

    def send_photo(
        self, data: bytes, *, caption: str | None = None, replies: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Send a photo (Telegram offers it in sizes; the largest is last) and wait for the bot's replies."""
        before = len(self.fake.sent_to(self.id))
        stored = self.fake.add_file(data, "photo", "jpg")
        sizes = [
            {**stored, "file_id": f"{stored['file_id']}-thumb", "width": 90, "height": 90},
            {**stored, "width": 1280, "height": 960},
        ]
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        self.fake.push({"message": self._message(**fields)})
        return self._settle(before, replies, None, timeout)

    def send_voice(self, data: bytes, *, replies: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Send a voice note (Ogg/Opus, as Telegram records it) and wait for the bot's replies."""
        before = len(self.fake.sent_to(self.id))
        stored = self.fake.add_file(data, "voice", "oga")
        self.fake.push({"message": self._message(voice={**stored, "duration": 3, "mime_type": "audio/ogg"})})
        return self._settle(before, replies, None, timeout)

    def button(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The newest message to this user with an inline button labelled `label`, and that button."""
        with self.fake._cond:
            messages = [m for (chat, _), m in self.fake.messages.items() if chat == self.id]
        for message in sorted(messages, key=lambda m: m["message_id"], reverse=True):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
                for b in row:
                    if b.get("text") == label:
                        return message, b
        raise AssertionError(f"no button {label!r} in the chat with user {self.id}")

    def buttons(self, message: dict[str, Any]) -> list[str]:
        return [
            b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard") or [] for b in row
        ]

    def press(
        self, label: str, *, replies: int = 1, message: dict[str, Any] | None = None, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Press an inline button (on `message`, else on the newest message that has it); wait for replies."""
        if message is None:
            message, button = self.button(label)
        else:
            with self.fake._cond:
                current = self.fake.messages[(self.id, message["message_id"])]
            button = next(
                b for row in current["reply_markup"]["inline_keyboard"] for b in row if b["text"] == label
            )
            message = current
        before = len(self.fake.sent_to(self.id))
        with self.fake._cond:
            query_id = f"q{next(self.fake._query_ids)}"
            self.fake.labels[query_id] = label
        query = {
            "id": query_id,
            "from": self.tg_user,
            "chat_instance": f"ci{self.id}",
            "data": button["callback_data"],
            "message": json.loads(json.dumps(message)),
        }
        self.fake.push({"callback_query": query})
        return self._settle(before, replies, query_id, timeout)


# -- the HTTP side ------------------------------------------------------------------------------------------------------
def _decode(params: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in JSON_PARAMS:
            try:
                out[name] = json.loads(value)
                continue
            except ValueError:
                pass
        out[name] = value
    return out


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: URLs carry the token
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the bot gave up on a long poll while stopping

        def _file(self) -> None:
            """A file download: /file/bot<token>/<file_path>."""
            match = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(self.path.split("?")[0]))
            data = fake.file_content(match.group(2)) if match and match.group(1) == fake.token else None
            if data is None:
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            if self.path.startswith("/file/"):
                self._file()
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
            if match is None or match.group(1) != fake.token:
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                params = json.loads(raw or b"{}")
            elif "x-www-form-urlencoded" in kind or not raw:
                params = _decode(dict(parse_qsl(raw.decode(), keep_blank_values=True)))
            else:
                self._reply(
                    400, {"ok": False, "error_code": 400, "description": "Bad Request: unsupported body"}
                )
                return
            status, body = fake.handle(match.group(2), params)
            self._reply(status, body)

        do_GET = _serve
        do_POST = _serve

    return Handler


def _buttons_text(markup: dict[str, Any] | None) -> str:
    if not markup:
        return ""
    if "inline_keyboard" in markup:
        rows = [" ".join(f"[{b['text']}]" for b in row) for row in markup["inline_keyboard"]]
        return "\n".join(f"      {r}" for r in rows)
    if "keyboard" in markup:
        rows = [
            " ".join(
                f"[{b['text'] if isinstance(b, dict) else b}{' ☎' if isinstance(b, dict) and b.get('request_contact') else ''}]"
                for b in row
            )
            for row in markup["keyboard"]
        ]
        return "\n".join(f"      (键盘) {r}" for r in rows)
    if markup.get("remove_keyboard"):
        return "      (收起键盘)"
    return ""


def _indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in str(text).splitlines())


def _describe_update(update: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    if "message" in update:
        m = update["message"]
        who = m["from"]["id"]
        if "contact" in m:
            c = m["contact"]
            return f"→ 用户{who} 分享联系人 {c['phone_number']}（user_id={c.get('user_id')}）"
        if "photo" in m:
            return f"→ 用户{who} 发来照片" + (f"：{m['caption']}" if m.get("caption") else "")
        if "voice" in m:
            return f"→ 用户{who} 发来语音（{m['voice'].get('duration', 0)}秒）"
        return f"→ 用户{who}: {m.get('text', '')}"
    if "callback_query" in update:
        q = update["callback_query"]
        label = (labels or {}).get(q["id"])
        return f"→ 用户{q['from']['id']} 按下按钮" + (f"「{label}」" if label else "") + f"（{q['data']}）"
    return f"→ update {update.get('update_id')}"


def _describe_call(e: Event) -> str:
    p = e.params
    head = f"← {e.method}"
    if e.error:
        return f"{head} ✗ {e.error}"
    if e.method in ("sendMessage", "editMessageText"):
        target = (
            f" #{e.result['message_id']}"
            if e.method == "editMessageText"
            else f" → #{e.result['message_id']}"
        )
        lines = [f"{head}{target}", _indent(p.get("text", ""))]
        buttons = _buttons_text(p.get("reply_markup"))
        return "\n".join([*lines, buttons] if buttons else lines)
    if e.method == "editMessageReplyMarkup":
        return f"{head} #{p.get('message_id')}\n{_buttons_text(p.get('reply_markup')) or '      (去掉按钮)'}"
    if e.method == "answerCallbackQuery":
        return f"{head}" + (f": {p['text']}" if p.get("text") else "")
    if e.method in ("setMyCommands", "deleteMyCommands"):
        scope = (p.get("scope") or {}).get("type", "default")
        names = " ".join("/" + c["command"] for c in p.get("commands") or [])
        return f"{head} ({scope}) {names}".rstrip()
    return head

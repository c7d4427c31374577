"""Cadres: households of the cadre's own jurisdiction, and binding codes for them.

    /search 关键词 → search_households; /households [页] → the list, ten at a time, 下一页 (HouseholdsPage)
    /household 户编号 or 查看 (ViewHousehold) → one record; /code 户编号 or 生成绑定码 (IssueCode) → a code
    /workbench → a single-use sign-in link to the county workbench (a web page)
The API decides who is a cadre and what is in their jurisdiction; a refusal gets its own plain reply here.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot import texts as T
from bot.api_client import Forbidden, InvalidInput, NotBound, NotFound
from bot.callbacks import HouseholdsPage, IssueCode, ViewHousehold
from bot.chat import Row, answer_query, button, markup, rows, send, user_id
from bot.context import BotContext

R = TypeVar("R")

PAGE_MAX = 100000


async def _cadre_call(update: Update, context: BotContext, call: Awaitable[R]) -> R | None:
    """Run a cadre API call; a non-cadre or an unknown household gets its own plain reply (None)."""
    try:
        return await call
    except (Forbidden, NotBound):
        await send(update, context, T.CADRE_ONLY)
    except (NotFound, InvalidInput):  # the API refuses a 户编号 of the wrong shape before looking it up
        await send(update, context, T.HOUSEHOLD_NOT_FOUND)
    return None


def _view_buttons(items: list[dict[str, Any]]) -> list[Row]:
    buttons: Row = [
        button(T.VIEW_BUTTON.format(household_no=h["household_no"]), ViewHousehold(str(h["household_no"])))
        for h in items
    ]
    return rows(buttons, 2)


async def search(update: Update, context: BotContext) -> None:
    """/search 关键词: households of the cadre's jurisdiction by name, 户编号 or last 4 of an ID."""
    query = " ".join(context.args or []).strip()
    if len(query) < 2:
        await send(update, context, T.SEARCH_USAGE)
        return
    data = await _cadre_call(
        update, context, context.api.search_households(chat_user_id=user_id(update), query=query)
    )
    if data is not None:
        items = data.get("items") or []
        await send(update, context, render.search_result(query, items), markup(_view_buttons(items)))


async def households(update: Update, context: BotContext) -> None:
    """/households [页]: the households the cadre looks after, ten at a time."""
    page = int(context.args[0]) if context.args and context.args[0].isdigit() else 1
    await show_households(update, context, page)


async def show_households(update: Update, context: BotContext, page: int) -> None:
    """One page of the cadre's households, with 查看 per household and 下一页."""
    page = max(1, min(page, PAGE_MAX))
    data = await _cadre_call(update, context, context.api.households(chat_user_id=user_id(update), page=page))
    if data is None:
        return
    keyboard = _view_buttons(data.get("items") or [])
    if page * int(data.get("page_size", 10)) < int(data.get("total", 0)):
        keyboard.append([button(T.NEXT_PAGE, HouseholdsPage(page + 1))])
    await send(update, context, render.households_page(data), markup(keyboard))


async def household(update: Update, context: BotContext) -> None:
    """/household 户编号: one household's record (ID and phone numbers masked)."""
    if not context.args:
        await send(update, context, T.HOUSEHOLD_USAGE)
        return
    await show_household(update, context, context.args[0])


async def show_household(update: Update, context: BotContext, household_no: str) -> None:
    """One household's record with 生成绑定码."""
    data = await _cadre_call(
        update, context, context.api.household(chat_user_id=user_id(update), household_no=household_no)
    )
    if data is not None:
        no = str((data.get("household") or {}).get("household_no", household_no))
        await send(
            update, context, render.household_view(data), markup([[button(T.CODE_BUTTON, IssueCode(no))]])
        )


async def code(update: Update, context: BotContext) -> None:
    """/code 户编号: a single-use binding code for a household of the cadre's jurisdiction."""
    if not context.args:
        await send(update, context, T.CODE_USAGE)
        return
    await issue_code(update, context, context.args[0])


async def issue_code(update: Update, context: BotContext, household_no: str) -> None:
    """Issue a binding code and show it with its expiry."""
    data = await _cadre_call(
        update, context, context.api.issue_code(chat_user_id=user_id(update), household_no=household_no)
    )
    if data is not None:
        await send(update, context, render.issued_code(data))


async def workbench(update: Update, context: BotContext) -> None:
    """/workbench: a single-use link (10 minutes) that signs the cadre in to the county workbench."""
    data = await _cadre_call(update, context, context.api.workbench_link(chat_user_id=user_id(update)))
    if data is not None:
        await send(update, context, T.WORKBENCH_LINK.format(url=html.escape(str(data["url"])), minutes=10))


async def on_view(update: Update, context: BotContext) -> None:
    """查看 under a cadre's list."""
    assert update.callback_query is not None
    await answer_query(update)
    view = ViewHousehold.parse(update.callback_query.data)
    if view is not None:
        await show_household(update, context, view.household_no)


async def on_issue_code(update: Update, context: BotContext) -> None:
    """生成绑定码 under a household's record (one code per tap: the button goes away)."""
    query = update.callback_query
    assert query is not None
    await answer_query(update)
    issue = IssueCode.parse(query.data)
    if issue is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await issue_code(update, context, issue.household_no)


async def on_page(update: Update, context: BotContext) -> None:
    """下一页 under /households."""
    assert update.callback_query is not None
    await answer_query(update)
    page = HouseholdsPage.parse(update.callback_query.data)
    if page is not None:
        await show_households(update, context, page.page)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The cadre's commands and buttons."""
    return [
        CommandHandler("search", search),
        CommandHandler("households", households),
        CommandHandler("household", household),
        CommandHandler("code", code),
        CommandHandler("workbench", workbench),
        CallbackQueryHandler(on_view, pattern=ViewHousehold.PATTERN),
        CallbackQueryHandler(on_issue_code, pattern=IssueCode.PATTERN),
        CallbackQueryHandler(on_page, pattern=HouseholdsPage.PATTERN),
    ]

"""What the bot says on its own: the steps of a reporter's case, new cases in a cadre's queue, and the cadres'
morning digest — fetched from the API's notification outbox on PTB's job queue.

The API owns the data and may run as several replicas, so it never pushes: each step writes its notifications
in the database with the step, and this job claims them with the channel key every
`BANGFU_CASE_NOTIFY_INTERVAL` seconds (a claim is leased, so a second bot process does not send the same one),
sends them, and acknowledges what was sent. What Telegram refused for good (the user blocked the bot, the chat
is gone) is acknowledged too; what failed for a while is left to come back after the lease. At
`BANGFU_CASE_DIGEST_TIME` (China time) the job asks the API for today's digests, which it enqueues once per
cadre and day, and delivers them the same way.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import JobQueue

from bot import case_texts as CT
from bot import render, render_cases
from bot.api_client import ApiError
from bot.case_callbacks import CaseAct
from bot.chat import button, markup
from bot.context import BotContext
from core.settings import Settings

logger = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
DELIVER_JOB, DIGEST_JOB = "case-notifications", "case-digest"


async def deliver(context: BotContext) -> int:
    """Send what the outbox holds for this bot's chat users; returns how many were sent."""
    try:
        claimed = await context.api.claim_notifications()
    except ApiError as exc:
        logger.info("notifications not fetched: %s", type(exc).__name__)
        return 0
    done: list[int] = []
    sent = 0
    for n in claimed:
        text = render_cases.notification(str(n.get("kind")), n.get("payload") or {})
        chat = str(n.get("chat_user_id", ""))
        if text is None or not chat.isdigit():
            logger.warning("dropped a notification this bot cannot deliver (%s)", n.get("kind"))
            done.append(int(n["id"]))
            continue
        payload = n.get("payload") or {}
        keyboard = None
        if (
            n.get("kind") == "case_step"
            and payload.get("status") == "returned"
            and not payload.get("on_behalf")
        ):
            case_id = str(payload.get("case_id"))
            keyboard = markup(
                [[button(render.fmt(CT.MORE_BUTTON, case_id=case_id), CaseAct(case_id, "more"))]]
            )
        try:
            await context.bot.send_message(int(chat), text, reply_markup=keyboard)
        except (Forbidden, BadRequest) as exc:  # blocked, or no such chat: it will never go through
            logger.info("a notification could not be delivered: %s", type(exc).__name__)
        except TelegramError as exc:  # flood control, network: left for the next claim after the lease
            logger.warning("a notification was not sent yet: %s", type(exc).__name__)
            continue
        else:
            sent += 1
        done.append(int(n["id"]))
    try:
        await context.api.ack_notifications(done)
    except ApiError as exc:  # they come back after the lease and are sent again
        logger.warning("notifications not acknowledged: %s", type(exc).__name__)
    return sent


async def digest(context: BotContext) -> None:
    """The morning digest: today's digests are enqueued by the API (once a day), then delivered."""
    try:
        count = await context.api.enqueue_digests()
    except ApiError as exc:
        logger.warning("the morning digest was not enqueued: %s", type(exc).__name__)
        return
    logger.info("morning digest: %d enqueued", count)
    await deliver(context)


def schedule(job_queue: JobQueue[Any], settings: Settings) -> None:
    """Fetch notifications on a timer, and the digest every morning."""
    interval = settings.case_notify_interval
    job_queue.run_repeating(deliver, interval=interval, first=interval, name=DELIVER_JOB)
    hour, minute = (int(part) for part in settings.case_digest_time.split(":"))
    job_queue.run_daily(digest, time=time(hour, minute, tzinfo=CHINA), name=DIGEST_JOB)

"""The bot's callback data (bot.callbacks): the wire format of buttons already in chats, round trips, refusals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks as cb
from bot.callbacks import (
    MAX_BYTES,
    CheckAction,
    CheckAnswer,
    CheckStep,
    CheckToggle,
    Clarify,
    Feedback,
    HouseholdsPage,
    IssueCode,
    Me,
    MeasureCard,
    MeChoice,
    Menu,
    MenuChoice,
    Retry,
    Source,
    TooLong,
    Unbind,
    ViewHousehold,
    exact,
)
from bot.chat import button

# Every kind, with the exact string the bot has always put on its buttons (old buttons must keep working).
WIRE: list[tuple[cb.Callback, str]] = [
    (Menu(MenuChoice.ASK), "menu:ask"),
    (Menu(MenuChoice.CHECK), "menu:check"),
    (Menu(MenuChoice.ME), "menu:me"),
    (Menu(MenuChoice.HELP), "menu:help"),
    (Source("9f86d081", 2), "src:9f86d081:2"),
    (Feedback("9f86d081", True), "fb:9f86d081:1"),
    (Feedback("9f86d081", False), "fb:9f86d081:0"),
    (Clarify("9f86d081", 1), "cl:9f86d081:1"),
    (MeasureCard("housing-c-grade"), "mc:housing-c-grade"),
    (CheckAction(CheckStep.RESUME), "ck:resume"),
    (CheckAction(CheckStep.FRESH), "ck:fresh"),
    (CheckAction(CheckStep.DONE), "ck:done"),
    (CheckAction(CheckStep.STOP), "ck:stop"),
    (CheckAnswer(3), "ck:3"),
    (CheckToggle(0), "ck:t:0"),
    (Me(MeChoice.PAYMENTS), "me:payments"),
    (Me(MeChoice.HELPER), "me:helper"),
    (Unbind(True), "ub:yes"),
    (Unbind(False), "ub:no"),
    (ViewHousehold("99000101010001"), "hh:v:99000101010001"),
    (IssueCode("99000101010001"), "hh:c:99000101010001"),
    (HouseholdsPage(2), "hh:p:2"),
    (Retry(123456789), "retry:123456789"),
]


@pytest.mark.parametrize(("value", "wire"), WIRE, ids=[w for _, w in WIRE])
def test_the_wire_format_is_the_one_buttons_in_chats_carry(value: cb.Callback, wire: str) -> None:
    assert value.build() == wire
    assert type(value).parse(wire) == value
    assert cb.parse(wire) == value  # no other kind claims it
    assert [kind for kind in cb.KINDS if kind.PATTERN.match(wire)] == [type(value)]


@pytest.mark.parametrize(
    "data",
    [
        "src:9f86d081",  # no citation number
        "src:9f86d081:x",
        "src::1",
        "fb:9f86d081:2",  # a vote is 1 or 0
        "fb:9f86d081",
        "mc:",
        "ck:",
        "ck:-1",
        "ck:t:",
        "ck:t:x",
        "ck:1\n",  # a trailing newline is not data the bot builds
        "ck:later",
        "menu:nope",
        "menu:",
        "me:other",
        "ub:maybe",
        "hh:x:99000101010001",
        "hh:v:",
        "hh:p:abc",
        "retry:",
        "retry:abc",
        "",
        "unknown",
        "src:" + "a" * 70 + ":1",  # over 64 bytes
    ],
)
def test_malformed_data_is_refused(data: str) -> None:
    assert cb.parse(data) is None
    assert all(kind.parse(data) is None for kind in cb.KINDS)
    assert not any(kind.PATTERN.match(data) for kind in cb.KINDS)  # no handler but the stale-button one


def test_what_is_not_a_string_is_refused() -> None:
    for data in (None, b"ck:done", 3, object()):
        assert cb.parse(data) is None


def test_nothing_over_64_bytes_is_built_and_a_button_for_it_is_left_out() -> None:
    fits = "户" * ((MAX_BYTES - len("hh:v:")) // 3)  # three bytes each in UTF-8
    assert len(ViewHousehold(fits).build().encode()) <= MAX_BYTES
    too_long = ViewHousehold(fits + "户")
    with pytest.raises(TooLong):
        too_long.build()
    with pytest.raises(TooLong):
        MeasureCard("m" * 62).build()
    assert button("查看", too_long) is None
    made = button("查看", ViewHousehold(fits))
    assert made is not None and made.callback_data == "hh:v:" + fits
    assert ViewHousehold.parse("hh:v:" + fits + "户") is None


def test_exact_patterns_match_one_value_only() -> None:
    done = exact(CheckAction(CheckStep.DONE))
    assert done.match("ck:done") and not done.match("ck:done2") and not done.match("ck:stop")
    assert exact(Menu(MenuChoice.CHECK)).match("menu:check")
    assert not exact(Menu(MenuChoice.CHECK)).match("menu:me")
    assert not exact(MeasureCard("a.b")).match("mc:axb")  # ids are escaped in the pattern


_ids = st.text(
    st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), min_size=1, max_size=20
)
_keys = st.from_regex(re.compile(r"[0-9a-f]{8}"), fullmatch=True)
_values = st.one_of(
    st.builds(Menu, st.sampled_from(MenuChoice)),
    st.builds(Source, _keys, st.integers(0, 9999)),
    st.builds(Feedback, _keys, st.booleans()),
    st.builds(MeasureCard, _ids),
    st.builds(CheckAction, st.sampled_from(CheckStep)),
    st.builds(CheckAnswer, st.integers(0, 10**6)),
    st.builds(CheckToggle, st.integers(0, 10**6)),
    st.builds(Me, st.sampled_from(MeChoice)),
    st.builds(Unbind, st.booleans()),
    st.builds(ViewHousehold, _ids),
    st.builds(IssueCode, _ids),
    st.builds(HouseholdsPage, st.integers(1, 10**6)),
    st.builds(Retry, st.integers(0, 2**62)),
)


@given(_values)
def test_every_value_built_parses_back_to_itself(value: cb.Callback) -> None:
    try:
        data = value.build()
    except TooLong:
        return
    assert len(data.encode()) <= MAX_BYTES
    assert cb.parse(data) == value

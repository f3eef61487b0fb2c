from __future__ import annotations

from datetime import date

from bot.qa.budget import Budget

DAY = date(2026, 6, 12)


async def test_caps_per_user_and_thread() -> None:
    budget = Budget(per_user=2, per_thread=3, per_day=100)
    assert await budget.spend(DAY, "ada", "t1") is None
    assert await budget.spend(DAY, "ada", "t2") is None
    assert (
        await budget.spend(DAY, "ada", "t1")
        == "The language-model budget for your questions today (2) is used up"
    )
    assert await budget.spend(DAY, "bob", "t1") is None
    assert await budget.spend(DAY, "eve", "t1") is None  # a refused question spent nothing
    assert (
        await budget.spend(DAY, "zed", "t1")
        == "The language-model budget for this thread (3) is used up"
    )
    assert await budget.spend(DAY, "zed", "t3") is None


async def test_cap_per_day_and_a_new_day() -> None:
    budget = Budget(per_user=10, per_thread=10, per_day=2)
    assert await budget.spend(DAY, "a", "t1") is None
    assert await budget.spend(DAY, "b", "t2") is None
    assert (
        await budget.spend(DAY, "c", "t3")
        == "The language-model budget for everyone's questions today (2) is used up"
    )
    assert await budget.spend(date(2026, 6, 13), "c", "t3") is None  # a new day

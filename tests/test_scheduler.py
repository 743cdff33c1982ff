"""kg/endpoint/scheduler.py on its own (no processes): who gets the next idle worker."""

from __future__ import annotations

import asyncio

import pytest

from kg.endpoint.scheduler import Busy, FairQueue, SlowQueries


def run(coro):
    return asyncio.run(coro)


def test_clients_are_served_in_turn():
    async def scenario() -> list[str]:
        queue = FairQueue(2)
        served: list[str] = []

        async def ask(client: str) -> None:
            worker = await queue.get(client, timeout=5)
            served.append(client)
            await asyncio.sleep(0)
            queue.done(client)
            queue.put(worker)

        tasks = [asyncio.ensure_future(ask(c)) for c in ["a", "a", "a", "b", "c"]]
        await asyncio.sleep(0)
        queue.put("w1")  # one worker at a time: a, then b and c before a's next requests
        await asyncio.gather(*tasks)
        return served

    assert run(scenario())[:3] == ["a", "b", "c"]


def test_the_last_idle_worker_is_kept_from_known_slow_queries():
    async def scenario() -> None:
        slow = SlowQueries()
        cross_join = SlowQueries.digest("a cross join")
        queue = FairQueue(2, slow=slow)
        queue.put("w1")
        queue.put("w2")
        first = await queue.get("a", digest=cross_join, timeout=1)
        second = await queue.get("a", digest=cross_join, timeout=1)  # not known slow yet: the last worker too
        queue.done("a")
        queue.put(second)
        slow.add(cross_join)  # the first one ran long: from now on it is known slow
        with pytest.raises(Busy):  # two idle would let it have one; the last one, never
            await queue.get("a", digest=cross_join, timeout=0.2)
        other = await queue.get("a", digest=SlowQueries.digest("cheap"), timeout=1)  # not known slow: gets it
        assert {first, other} == {"w1", "w2"}

    run(scenario())


def test_a_client_holding_a_worker_does_not_get_the_last_while_others_are_active():
    async def scenario() -> None:
        queue = FairQueue(2)
        queue.put("w1")
        queue.put("w2")
        await queue.get("attacker", timeout=1)
        lone = await queue.get("attacker", timeout=1)  # alone, a client may use every worker
        queue.done("attacker")
        queue.put(lone)
        await queue.get("user", timeout=1)  # another client shows up (and is served)...
        queue.done("user")
        queue.put("w3")
        with pytest.raises(Busy):  # ...so the attacker, holding one, does not get the last idle worker
            await queue.get("attacker", timeout=0.2)
        assert await queue.get("user", timeout=1) == "w3"

    run(scenario())


def test_a_waiter_that_gives_up_returns_nothing_and_loses_nothing():
    async def scenario() -> None:
        queue = FairQueue(1)
        with pytest.raises(Busy):
            await queue.get("a", timeout=0.05)
        assert not queue.waiting and not queue.running
        task = asyncio.ensure_future(queue.get("a", timeout=5))
        await asyncio.sleep(0)
        queue.put("w1")
        task.cancel()  # it was handed the worker, then cancelled: the worker goes back
        with pytest.raises(asyncio.CancelledError):
            await task
        assert queue.idle == ["w1"] and not queue.running

    run(scenario())


def test_slow_queries_are_remembered_for_a_while_and_bounded():
    slow = SlowQueries(remember_seconds=60, size=3)
    digests = [SlowQueries.digest(f"q{i}") for i in range(5)]
    for d in digests:
        slow.add(d)
    assert [d in slow for d in digests] == [False, False, True, True, True]
    expired = SlowQueries(remember_seconds=-1)
    expired.add(digests[0])
    assert digests[0] not in expired

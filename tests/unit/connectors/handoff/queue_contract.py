"""What every local hand-off queue promises; the in-process and Redis tests run it.

A test module subclasses :class:`QueueContract` as ``Test…`` and provides a
``queue`` fixture: a queue with an average handle time of 120 s and the
``clock`` fixture's time.
"""

from __future__ import annotations

import pytest

from connectors.handoff import (
    AgentReply,
    HandoffQueue,
    TicketConflict,
    TicketNotFound,
)
from tests.unit.connectors.handoff.helpers import ESCALATED, FakeClock, escalation

AVERAGE_HANDLE_S = 120.0


class QueueContract:
    async def test_tickets_wait_in_arrival_order_with_the_wait_of_their_position(
        self, queue: HandoffQueue, clock: FakeClock
    ) -> None:
        placements = []
        for session in ("a", "b", "c"):
            placements.append(await queue.enqueue(escalation(session)))
            clock.advance(1)
        assert [(p.position, p.eta_s, p.new) for p in placements] == [
            (1, 120.0, True),
            (2, 240.0, True),
            (3, 360.0, True),
        ]
        waiting = await queue.waiting()
        assert [(p.ticket.session_id, p.position, p.eta_s) for p in waiting] == [
            ("a", 1, 120.0),
            ("b", 2, 240.0),
            ("c", 3, 360.0),
        ]
        assert waiting[0].ticket.enqueued_at == ESCALATED
        assert waiting[0].ticket.status == "waiting"

    async def test_the_ticket_keeps_the_whole_escalation(self, queue: HandoffQueue) -> None:
        sent = escalation("a", summary="注文250-1234567-7654321がまだ届きません😡")
        await queue.enqueue(sent)
        ticket = await queue.get(sent.event_id)
        assert ticket.escalation == sent
        assert (ticket.ticket_id, ticket.session_id) == (sent.event_id, "a")

    async def test_the_same_escalation_again_is_not_queued_twice(self, queue: HandoffQueue) -> None:
        first = await queue.enqueue(escalation("a"))
        await queue.enqueue(escalation("b"))
        again = await queue.enqueue(escalation("a"))
        assert (again.new, again.position, again.ticket.ticket_id) == (
            False,
            1,
            first.ticket.ticket_id,
        )
        assert len(await queue.waiting()) == 2

    async def test_a_session_has_one_open_ticket(self, queue: HandoffQueue) -> None:
        first = await queue.enqueue(escalation("a", event="esc-1"))
        second = await queue.enqueue(escalation("a", event="esc-2", reason="negative_sentiment"))
        assert (second.new, second.ticket.ticket_id) == (False, first.ticket.ticket_id)
        assert [p.ticket.ticket_id for p in await queue.waiting()] == ["esc-1"]
        with pytest.raises(TicketNotFound):
            await queue.get("esc-2")

    async def test_claiming_takes_a_ticket_out_of_line_and_moves_the_others_up(
        self, queue: HandoffQueue, clock: FakeClock
    ) -> None:
        for session in ("a", "b", "c"):
            await queue.enqueue(escalation(session))
        clock.advance(30)
        claimed = await queue.claim("esc-a", "aiko")
        assert (claimed.status, claimed.agent, claimed.claimed_at) == (
            "claimed",
            "aiko",
            clock.now,
        )
        assert [(p.ticket.session_id, p.position) for p in await queue.waiting()] == [
            ("b", 1),
            ("c", 2),
        ]
        assert [t.ticket_id for t in await queue.claimed()] == ["esc-a"]
        assert (await queue.enqueue(escalation("c"))).position == 2

    async def test_a_claimed_ticket_is_the_claimers(self, queue: HandoffQueue) -> None:
        await queue.enqueue(escalation("a"))
        await queue.claim("esc-a", "aiko")
        assert (await queue.claim("esc-a", "aiko")).agent == "aiko"  # again: fine
        with pytest.raises(TicketConflict, match="claimed by aiko"):
            await queue.claim("esc-a", "ben")
        with pytest.raises(TicketConflict):
            await queue.close("esc-a", "ben")
        with pytest.raises(TicketNotFound):
            await queue.claim("no-such-ticket", "aiko")

    async def test_escalating_a_claimed_session_answers_its_ticket(
        self, queue: HandoffQueue
    ) -> None:
        await queue.enqueue(escalation("a"))
        await queue.claim("esc-a", "aiko")
        acceptance = await queue.accept(escalation("a", event="esc-again"))
        assert (acceptance.reference, acceptance.status, acceptance.new) == (
            "esc-a",
            "claimed",
            False,
        )
        assert (acceptance.position, acceptance.eta_s) == (None, None)

    async def test_accept_says_the_place_in_line(self, queue: HandoffQueue) -> None:
        await queue.enqueue(escalation("a"))
        acceptance = await queue.accept(escalation("b"))
        assert (acceptance.reference, acceptance.status, acceptance.new) == (
            "esc-b",
            "waiting",
            True,
        )
        assert (acceptance.position, acceptance.eta_s) == (2, 240.0)

    async def test_closing_frees_the_session_to_escalate_again(
        self, queue: HandoffQueue, clock: FakeClock
    ) -> None:
        await queue.enqueue(escalation("a"))
        await queue.claim("esc-a", "aiko")
        clock.advance(60)
        closed = await queue.close("esc-a", "aiko")
        assert (closed.status, closed.agent, closed.closed_at) == ("closed", "aiko", clock.now)
        assert (await queue.close("esc-a", "aiko")).status == "closed"  # twice: fine
        assert await queue.claimed() == []
        with pytest.raises(TicketConflict, match="closed"):
            await queue.claim("esc-a", "aiko")
        again = await queue.enqueue(escalation("a", event="esc-later"))
        assert (again.new, again.position, again.ticket.ticket_id) == (True, 1, "esc-later")
        # The closed escalation redelivered is still not queued again.
        redelivered = await queue.enqueue(escalation("a"))
        assert (redelivered.new, redelivered.ticket.status) == (False, "closed")

    async def test_a_waiting_ticket_can_be_closed_without_a_claim(
        self, queue: HandoffQueue
    ) -> None:
        await queue.enqueue(escalation("a"))
        await queue.enqueue(escalation("b"))
        closed = await queue.close("esc-a", "aiko")
        assert (closed.status, closed.agent) == ("closed", "aiko")
        assert [(p.ticket.session_id, p.position) for p in await queue.waiting()] == [("b", 1)]

    async def test_the_agents_replies_are_kept_in_order(
        self, queue: HandoffQueue, clock: FakeClock
    ) -> None:
        await queue.enqueue(escalation("a"))
        await queue.claim("esc-a", "aiko")
        first = AgentReply(turn_id="t-1", agent="aiko", text="お待たせしました。", at=clock.now)
        second = AgentReply(turn_id="t-2", agent="aiko", text="確認します。", at=clock.now)
        await queue.add_reply("esc-a", first)
        await queue.add_reply("esc-a", second)
        assert await queue.replies("esc-a") == [first, second]
        assert await queue.replies("esc-b") == []

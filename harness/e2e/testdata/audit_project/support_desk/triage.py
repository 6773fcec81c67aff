"""Triage runs in a web server's event loop, which lives in a background
thread; each ticket is triaged with the LM its queue chose."""

import asyncio
import threading

import dspy

from support_desk.formatting import ticket_label

triage = dspy.asyncify(dspy.ChainOfThought("ticket -> priority"))


async def triage_ticket(ticket, lm):
    with dspy.context(lm=lm):
        return await triage(ticket=ticket)


async def triage_all(tickets, lm):
    return await asyncio.gather(*(triage_ticket(t, lm) for t in tickets))


def triage_in_background(numbers):
    """Triage tickets in the server's loop thread; returns their priorities."""
    tickets = [f"{ticket_label(n)}: the invoice total is wrong" for n in numbers]
    lm = dspy.LM("openai/gpt-4o-mini")
    outcome = {}

    def loop_thread():
        try:
            outcome["results"] = asyncio.run(triage_all(tickets, lm))
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=loop_thread, name="server-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return [result.priority for result in outcome["results"]]

import asyncio

from support_desk.answer import answer_all
from support_desk.formatting import ticket_label
from support_desk.triage import triage_in_background


def test_ticket_label():
    assert ticket_label(1024) == "ticket #1,024"


def test_answers_outermost_asyncify():
    answers = asyncio.run(answer_all(range(1000, 1004)))
    assert len(answers) == 4 and all(a.strip() for a in answers)


def test_triage_in_background_loop():
    # Breaks on DSPy 2.5.40: the dspy.context LM never reaches the worker.
    priorities = triage_in_background(range(2000, 2004))
    assert len(priorities) == 4 and all(p.strip() for p in priorities)

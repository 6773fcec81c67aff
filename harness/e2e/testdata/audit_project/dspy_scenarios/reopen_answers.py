# SUMMARY: the team's own package, imported from the project's root: answers from its outermost asyncify
# FAMILY: project
# EXERCISES: a scenario that imports the project (support_desk) and, through it, a dependency
# EXERCISES: outside DSPy's tree (humanize): run --project installs both into every target
# EXPECT: pass

import asyncio
import os

import support_desk
from support_desk.answer import answer_all

# The project's tree comes before an installed copy of it, as with
# `python dspy_scenarios/reopen_answers.py` from the root or pytest's rootdir.
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
where = os.path.dirname(os.path.abspath(support_desk.__file__))
assert where == os.path.join(root, "support_desk"), where

answers = asyncio.run(answer_all(range(1000, 1004)))
assert len(answers) == 4 and all(a.strip() for a in answers), answers

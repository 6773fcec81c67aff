import pytest

from support_desk.answer import answer_all


# Needs pytest-asyncio (the test extra): without it pytest skips this test.
@pytest.mark.asyncio
async def test_answers_awaited_by_the_test():
    answers = await answer_all(range(3000, 3002))
    assert len(answers) == 2 and all(a.strip() for a in answers)

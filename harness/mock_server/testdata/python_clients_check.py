"""Drives the mock LM server with the real clients of one Python environment: the openai client,
litellm (what DSPy calls) and DSPy itself, non-streaming and streaming. Run by
python_clients_test.cc with the environment's interpreter:

    python python_clients_check.py BASE_URL RUN_ID

BASE_URL is the server's root (loopback); every call goes to BASE_URL/run/RUN_ID/v1 so that the
test can read what arrived from the journal. The server has the fixture rules the test loads
(a 429 for model "fail-429", "Paris" for questions about the capital of France). Prints one
"ok <check>" line per check and exits non-zero (with a traceback) on the first failure.
"""

import asyncio
import json
import os
import sys
import typing

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

BASE, RUN = sys.argv[1], sys.argv[2]
API_BASE = f"{BASE}/run/{RUN}/v1"
KEY = "sk-mock-not-a-key"


def ok(name):
    print("ok", name, flush=True)


def check_openai():
    import openai

    client = openai.OpenAI(base_url=API_BASE, api_key=KEY, max_retries=0)
    messages = [
        {"role": "system", "content": "Your input fields are:\n1. `question` (str)\n\n"
                                      "Your output fields are:\n1. `answer` (str)\n"},
        {"role": "user", "content": "[[ ## question ## ]]\nWhy?\n\nRespond with the corresponding "
                                    "output fields, starting with the field `[[ ## answer ## ]]`, "
                                    "and then ending with the marker for `[[ ## completed ## ]]`."},
    ]
    whole = client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0)
    content = whole.choices[0].message.content
    assert content.startswith("[[ ## answer ## ]]\nmock answer "), content
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens
    ok("openai chat")

    stream = client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0,
                                            stream=True, stream_options={"include_usage": True})
    pieces, usage = [], None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
    assert "".join(pieces) == content, (pieces, content)
    assert len(pieces) > 3 and usage is not None and usage.total_tokens > 0
    ok("openai chat stream")

    text = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi.")
    assert text.choices[0].text.startswith("mock response "), text
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Say hi.", stream=True) if c.choices)
    assert streamed == text.choices[0].text, (streamed, text.choices[0].text)
    ok("openai completions")

    assert "gpt-4o-mini" in [m.id for m in client.models.list()]
    ok("openai models")

    as_json = client.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                             response_format={"type": "json_object"}, n=2)
    assert len(as_json.choices) == 2
    assert json.loads(as_json.choices[0].message.content)["answer"].startswith("mock answer ")
    ok("openai json_object n=2")

    try:
        client.chat.completions.create(model="fail-429", messages=messages)
        raise AssertionError("expected a RateLimitError")
    except openai.RateLimitError as e:
        assert e.status_code == 429
    ok("openai error shape")


def check_litellm():
    import litellm

    messages = [{"role": "user", "content": "Say hi."}]
    response = litellm.completion(model="openai/gpt-4o-mini", api_base=API_BASE, api_key=KEY,
                                  messages=messages)
    content = response.choices[0].message.content
    assert content.startswith("mock response "), content
    chunks = litellm.completion(model="openai/gpt-4o-mini", api_base=API_BASE, api_key=KEY,
                                messages=messages, stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == content, (streamed, content)
    ok("litellm chat and stream")


def check_dspy():
    import dspy
    import pydantic

    lm = dspy.LM("openai/gpt-4o-mini", api_base=API_BASE, api_key=KEY, cache=False)
    other = dspy.LM("openai/gpt-4o", api_base=API_BASE, api_key=KEY, cache=False)
    dspy.configure(lm=lm)

    cot = dspy.ChainOfThought("question -> answer")
    result = cot(question="Why is the sky blue?")
    assert result.answer.startswith("mock answer "), result
    assert result.reasoning.startswith("mock reasoning "), result
    ok("dspy ChainOfThought")

    assert cot(question="What is the capital of France?").answer == "Paris"
    ok("dspy fixture answer")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    class Extract(dspy.Signature):
        """Extract facts."""

        text: str = dspy.InputField()
        count: int = dspy.OutputField()
        ok: bool = dspy.OutputField()
        tags: list[str] = dspy.OutputField()
        label: typing.Literal["pos", "neg"] = dspy.OutputField()
        person: Person = dspy.OutputField()

    typed = dspy.Predict(Extract)(text="Ann, 31")
    assert isinstance(typed.count, int) and isinstance(typed.ok, bool), typed
    assert isinstance(typed.tags, list) and typed.label in ("pos", "neg"), typed
    assert isinstance(typed.person, Person), typed
    ok("dspy typed outputs")

    with dspy.context(adapter=dspy.JSONAdapter()):
        as_json = dspy.ChainOfThought(Extract)(text="Ann, 31")
    assert isinstance(as_json.person.age, int) and as_json.reasoning, as_json
    ok("dspy JSONAdapter")

    with dspy.context(lm=other):
        echoed = dspy.Predict("question -> answer")(question="Which model?")
    # The echo rule puts the serving model's name in the answer: which LM served the call.
    assert echoed.answer.endswith("[model=gpt-4o]"), echoed
    ok("dspy echo model")

    if hasattr(dspy, "streamify"):
        check_dspy_stream(dspy)
    if hasattr(dspy.Predict, "acall"):
        result = asyncio.run(cot.acall(question="Async?"))
        assert result.answer.startswith("mock answer "), result
        ok("dspy acall")


def check_dspy_stream(dspy):
    program = dspy.streamify(
        dspy.Predict("question -> answer"),
        stream_listeners=[dspy.streaming.StreamListener(signature_field_name="answer")])

    async def collect():
        pieces, final = [], None
        async for item in program(question="Stream it?"):
            if isinstance(item, dspy.streaming.StreamResponse):
                pieces.append(item.chunk)
            elif isinstance(item, dspy.Prediction):
                final = item
        return pieces, final

    pieces, final = asyncio.run(collect())
    assert final is not None and final.answer.startswith("mock answer "), final
    assert len(pieces) > 1 and "".join(pieces).strip() == final.answer, (pieces, final.answer)
    ok("dspy streamify")


if __name__ == "__main__":
    check_openai()
    check_litellm()
    check_dspy()
    print("all checks passed", flush=True)

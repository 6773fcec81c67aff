"""Regenerates the real DSPy ChatAdapter request bodies the responder tests read.

Run with a DSPy 2.5.x interpreter:  python gen_prompts.py OUT_DIR PREFIX
(e.g. PREFIX=dspy2540). 2.5.39 produces byte-identical prompts for these cases.
An LM must be configured so ChainOfThought names its extra field `reasoning`;
nothing is sent to it.
"""

import enum
import json
import sys
import typing

import dspy
import pydantic


class Sentiment(enum.Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Person(pydantic.BaseModel):
    name: str
    age: int
    emails: list[str]


class Typed(dspy.Signature):
    """Classify and score the text."""

    text: str = dspy.InputField()
    count: int = dspy.OutputField()
    ok: bool = dspy.OutputField()
    score: float = dspy.OutputField()
    tags: list[str] = dspy.OutputField()
    label: typing.Literal["pos", "neg", "neutral"] = dspy.OutputField()


class Structured(dspy.Signature):
    """Extract structure."""

    text: str = dspy.InputField()
    sentiment: Sentiment = dspy.OutputField()
    person: Person = dspy.OutputField()
    scores: dict[str, float] = dspy.OutputField()
    maybe: typing.Optional[int] = dspy.OutputField()


def main(out_dir, prefix):
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini", api_key="x", api_base="http://127.0.0.1:9/v1"))
    cot = dspy.ChainOfThought("question -> answer").extended_signature
    cases = {
        "cot_question_answer": (cot, {"question": "What is the capital of France?"}, []),
        "predict_context_question": (
            dspy.Predict("context, question -> answer").signature,
            {"context": "Paris is in France.", "question": "Where is Paris?"},
            [],
        ),
        "typed_outputs": (Typed, {"text": "great product, would buy again"}, []),
        "structured_outputs": (Structured, {"text": "Ann, 31, ann@example.com, happy"}, []),
        "cot_with_demos": (
            cot,
            {"question": "2+2?"},
            [
                dspy.Example(question="1+1?", reasoning="one plus one", answer="2"),
                dspy.Example(question="3+3?", answer="6"),
            ],
        ),
    }
    # JSONAdapter (what ChatAdapter falls back to, or a program's own choice) also sends
    # response_format={"type": "json_object"} when litellm says the model supports it.
    json_cases = {"json_" + k: cases[k] for k in ("cot_question_answer", "structured_outputs")}
    for adapter, selected, extra in (
        (dspy.ChatAdapter(), cases, {}),
        (dspy.JSONAdapter(), json_cases, {"response_format": {"type": "json_object"}}),
    ):
        for name, (signature, inputs, demos) in selected.items():
            messages = adapter.format(signature, demos=demos, inputs=inputs)
            body = {"model": "gpt-4o-mini", "messages": messages, "temperature": 0.0,
                    "max_tokens": 1000, **extra}
            with open(f"{out_dir}/{prefix}_{name}.json", "w") as f:
                json.dump(body, f, indent=1, ensure_ascii=False)
                f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

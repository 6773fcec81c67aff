"""Captures the request bodies a DSPy 3.x release really sends, for the responder tests.

Run with a DSPy 3.x interpreter while a mock server listens (its journal keeps every body):
    python capture_prompts.py BASE_URL OUT_DIR PREFIX      (e.g. PREFIX=dspy341)
It calls each adapter on the same signatures as gen_prompts.py (which uses the 2.5.x API),
ignores whether the mock's answers parse, and writes each request as OUT_DIR/PREFIX_<case>.json.
"""

import enum
import json
import os
import sys
import typing
import urllib.request

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402
import pydantic  # noqa: E402


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


def journal(base):
    with urllib.request.urlopen(base + "/__admin/requests?run=capture") as r:
        return [json.loads(line) for line in r.read().decode().splitlines() if line]


def main(base, out_dir, prefix):
    lm = dspy.LM("openai/gpt-4o-mini", api_key="x", api_base=base + "/run/capture/v1",
                 cache=False, num_retries=0)
    dspy.configure(lm=lm)
    cot = dspy.ChainOfThought("question -> answer").predict.signature
    cases = {
        "cot_question_answer": (cot, {"question": "What is the capital of France?"}),
        "predict_context_question": (
            dspy.Predict("context, question -> answer").signature,
            {"context": "Paris is in France.", "question": "Where is Paris?"},
        ),
        "typed_outputs": (Typed, {"text": "great product, would buy again"}),
        "structured_outputs": (Structured, {"text": "Ann, 31, ann@example.com, happy"}),
    }
    json_cases = {"json_" + k: cases[k] for k in ("cot_question_answer", "structured_outputs")}
    for adapter, selected in ((dspy.ChatAdapter(use_json_adapter_fallback=False), cases),
                              (dspy.JSONAdapter(), json_cases)):
        for name, (signature, inputs) in selected.items():
            before = len(journal(base))
            try:
                adapter(lm, lm_kwargs={}, signature=signature, demos=[], inputs=inputs)
            except Exception as e:  # the answer need not parse; the request is what we want
                print(f"{name}: {type(e).__name__}", file=sys.stderr)
            body = json.loads(journal(base)[before]["request_body"])
            with open(f"{out_dir}/{prefix}_{name}.json", "w") as f:
                json.dump(body, f, indent=1, ensure_ascii=False)
                f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])

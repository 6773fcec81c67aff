"""Each tenant has its own model; a request classifies, then answers (two LM calls)."""

import asyncio

import dspy

TENANTS = {name: dspy.LM(f"openai/{name}-model") for name in ("acme", "globex", "initech")}
classify = dspy.asyncify(dspy.Predict("message -> topic"))
respond = dspy.asyncify(dspy.Predict("message, topic -> reply"))


async def handle(tenant, message):
    with dspy.context(lm=TENANTS[tenant]):
        topic = (await classify(message=message)).topic
        return (await respond(message=message, topic=topic)).reply


async def main():
    requests = [(tenant, f"Order {n} from {tenant} has not arrived.")
                for n in range(3) for tenant in TENANTS]
    replies = await asyncio.gather(*(handle(t, m) for t, m in requests))
    assert len(replies) == len(requests)
    print(f"{len(replies)} replies")


if __name__ == "__main__":
    asyncio.run(main())

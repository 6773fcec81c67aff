# SUMMARY: uses the openai client directly with a base_url on another host; containment must redirect it
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): the openai client is redirected

import os

import openai

other_host = os.environ["DSPY_COMPAT_TEST_LISTENER"]
client = openai.OpenAI(base_url="http://%s/v1" % other_host, api_key="sk-scenario-own", max_retries=0)
reply = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello."}])
print("reply:", reply.choices[0].message.content)

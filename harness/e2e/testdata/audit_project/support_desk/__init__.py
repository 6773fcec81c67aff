"""A sample support desk: triage tickets and answer questions with DSPy."""

"""The domain: stages, health, sentiment, handoffs, digests; plain values and sessions, no Slack."""

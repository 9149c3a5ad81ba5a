"""Process wiring: configuration, the Bolt app, HTTP serving, the outbox dispatcher, the scheduler and the CLI."""

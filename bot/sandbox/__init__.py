"""A local stand-in Slack workspace in the browser, with the real bot behind it (`lifecycle-bot sandbox`).

Nothing here is imported by the production path: `bot.runtime`, `handlers/` and `lifecycle/` never import it.
"""

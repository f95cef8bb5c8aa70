"""The HTTP API's routers, one per area: commands, questions, the event feed."""

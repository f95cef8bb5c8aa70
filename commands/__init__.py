"""What a user asks: command models, their handlers, and the composition root."""

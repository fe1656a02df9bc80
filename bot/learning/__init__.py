"""Learning that lasts: short courses in chat, question coaching, next steps after a session
and an FAQ that stays true. The wiring of its commands and reactions is `bot.learning.wiring`."""

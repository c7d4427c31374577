"""The Telegram bot: a client of the API over HTTP."""

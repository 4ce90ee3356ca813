"""clausebot's front ends: the command line and the Telegram bot, over `retrieval`."""

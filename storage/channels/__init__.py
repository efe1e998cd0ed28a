"""Channel accounts (a centre's Telegram bot, its WhatsApp numbers) and WhatsApp contacts."""

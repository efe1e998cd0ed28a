## The console's circles and centre setup pages, and the printed invite cards (bot/web/pages/circles.py,
## bot/web/pages/setup.py, bot/services/invite_sheet.py).

## Invite cards: three short lines beside the QR code, for someone who has never used the bot.

console-invite-card-scan = Scan the square with your phone camera: Telegram opens Saathi.
console-invite-card-type = Or find @{ $bot } in Telegram and send: /start { $code }
console-invite-card-once = This code is for you alone and works once. Keep it private.

## The web console (bot/web): sign-in, navigation, alerts, audit. Ids start with console-.

console-link =
    Your sign-in link for the Saathi console (works once, for { $minutes } minutes):
    { $link }
    Do not share it: it opens the console as you.
console-title = Console
console-nav-alerts = Alerts
console-nav-audit = Audit
console-signout = Sign out
console-signout-everywhere = Sign out on every device
console-back = Back to the console
console-signin-title = Sign in
console-signin-how = Send /console to the Saathi bot in Telegram: it sends you a sign-in link that works once, for 10 minutes.
console-signin-failed = This sign-in link has expired or was already used. Send /console to the bot for a new one.
console-error-forbidden = This page is not available to you.
console-error-not-found = Not found.
console-error-too-many = Too many attempts. Please wait a minute and try again.
console-error-other = Something went wrong. Please try again.
console-alerts-title = Alerts
console-alerts-none = No open alerts. Everyone who asked for help has been answered.
console-alert-urgent = Urgent
console-alert-concern = Concern
console-alert-since = raised { $minutes } min ago

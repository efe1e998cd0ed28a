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
console-alert-open = Waiting for someone
console-alert-acknowledged = Acknowledged
console-alert-step-0 = alerted: their counsellor
console-alert-step-1 = alerted: backup counsellors
console-alert-step-2 = alerted: every counsellor
console-alert-ack = Acknowledge
console-alert-note = What was done
console-alert-resolve = Resolve
console-alert-outcome-done = Done. The member has been told someone is with them.
console-alert-outcome-already = Someone else already took care of this alert.
console-alert-outcome-note-needed = Please write a short note on what was done before resolving.
console-watch-title = Missed check-ins
console-watch-missed = { $days } days without a check-in
console-watch-dropout = { $days } days without a check-in: may be dropping out
console-audit-title = Audit log
console-audit-action = Action
console-audit-any = Any
console-audit-member = Member
console-audit-since = From
console-audit-until = To
console-audit-filter = Filter
console-audit-none = Nothing recorded for this filter.
console-audit-when = When
console-audit-who = Staff

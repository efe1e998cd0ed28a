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

## The audit log's actions (bot/web/pages/audit.py action_label: "<where>:<what>" → "what (where)";
## an action without a message here is shown by its id)

console-audit-via-console = in the console
console-audit-via-refused = refused
console-audit-link = sign-in link made
console-audit-signin = signed in
console-audit-signout = signed out
console-audit-signout-all = signed out everywhere
console-audit-reveal = real name and notes shown
console-audit-export-case = case review downloaded
console-audit-export-attendance = attendance downloaded
console-audit-ack = alert acknowledged
console-audit-resolve = alert resolved
console-audit-acknowledged = alert acknowledged
console-audit-resolved = alert resolved
console-audit-view-member = member's trends viewed
console-audit-view-queue = alert queue viewed
console-audit-view-held = held messages viewed
console-audit-view-circle-health = circle health viewed
console-audit-center-settings = centre settings changed
console-audit-staff-add = staff member added
console-audit-staff-backup-on = made a backup
console-audit-staff-backup-off = no longer a backup
console-audit-staff-deactivate = staff member deactivated
console-audit-member-reassign = member given another counsellor
console-audit-circle-add = circle added
console-audit-circle-capacity = circle capacity changed
console-audit-circle-move = member moved to another circle
console-audit-circle-remove = member taken out of a circle
console-audit-circle-mute = member muted in a circle
console-audit-circle-lift-review = circle review lifted
console-audit-circle-release = held circle message released
console-audit-circle-keep-held = held circle message kept back
console-audit-command = a command not open to them: /{ $command }
console-audit-invites-create = invites made
console-audit-invite-sheet = invite sheet printed
console-audit-sponsor-link = sponsor linked
console-audit-sponsor-unlink = sponsor unlinked
console-audit-sponsor-volunteer-add = volunteer sponsor added
console-audit-export-data = member's data exported
console-audit-forgotten = member's data erased

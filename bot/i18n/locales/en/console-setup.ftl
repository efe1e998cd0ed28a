## The console's circles and centre setup pages, and the printed invite cards (bot/web/pages/circles.py,
## bot/web/pages/setup.py, bot/services/invite_sheet.py).

## Invite cards: three short lines beside the QR code, for someone who has never used the bot.

console-invite-card-scan = Scan the square with your phone camera: Telegram opens Saathi.
console-invite-card-type = Or find @{ $bot } in Telegram and send: /start { $code }
console-invite-card-once = This code is for you alone and works once. Keep it private.

## Navigation

console-nav-circles = Circles
console-nav-setup = Centre setup
console-nav-invites = Invites

## Circles

console-circles-title = Circles
console-circles-none = No circles yet. An admin can add one under Centre setup.
console-circles-already-reviewed = Someone has already reviewed that message.
console-circle-closed = closed
console-circle-facilitator = Facilitator: { $name }
console-circle-members = Members
console-circle-writers = Wrote in the last { $days } days
console-circle-per-day = Messages a day
console-circle-reports = Reports in the last { $days } days
console-circle-held = Held for review
console-circle-schedule = Meets
console-circle-no-schedule = no fixed time
console-schedule-daily = Every day at { $time }, { $minutes } minutes
console-schedule-weekly = Every { $day ->
    [mon] Monday
    [tue] Tuesday
    [wed] Wednesday
    [thu] Thursday
    [fri] Friday
    [sat] Saturday
   *[sun] Sunday
} at { $time }, { $minutes } minutes
console-circle-next = Next meeting and goal
console-held-title = Held messages
console-held-none = Nothing is waiting for review.
console-held-reason-abuse = held for hurtful words
console-held-reason-review = held after repeated reports
console-held-release = Release to the circle
console-held-discard = Keep it back

## Centre setup

console-setup-title = Centre setup
console-setup-refused = That could not be done:
console-setup-saved = Saved.
console-setup-staff = Counsellors and staff
console-setup-name = Name
console-setup-role = Role
console-setup-role-counsellor = Counsellor
console-setup-role-admin = Admin
console-setup-role-facilitator = Facilitator
console-setup-members = Members
console-setup-backup = backup
console-setup-backup-on = Make backup
console-setup-backup-off = Not backup
console-setup-inactive = deactivated
console-setup-not-linked = not linked yet
console-setup-unreachable = unreachable
console-setup-deactivate = Deactivate
console-setup-staff-add = Add
console-setup-staff-added = { $name } was added.
console-setup-staff-link = Send them this one-time link privately; opening it links their Telegram account:
console-setup-reassign = Give a member another counsellor
console-setup-pseudonym = Pseudonym
console-setup-to-counsellor = Counsellor
console-setup-reassign-do = Reassign
console-setup-circles = Circles
console-setup-capacity = Capacity
console-setup-kind = Type
console-setup-language = Language
console-setup-circle-add = Add circle
console-setup-save = Save
console-setup-sponsors = Sponsors
console-setup-sponsors-none = No sponsors yet.
console-setup-sponsor-kind = Who
console-setup-mentees = Mentees
console-setup-sponsor-volunteer = Volunteer
console-setup-sponsor-member = Member
console-setup-sponsor-not-connected = not connected yet
console-setup-mentee-asked = asked, not yet agreed
console-setup-mentees-none = none yet
console-setup-sponsor-link = Link a sponsor to a member
console-setup-sponsor = Sponsor's pseudonym
console-setup-mentee = Member's pseudonym
console-setup-sponsor-link-do = Ask the member
console-setup-sponsor-asked = The member will be asked whether they agree to this sponsor.
console-setup-sponsor-unlink = End a member's sponsorship
console-setup-sponsor-unlink-do = End sponsorship
console-setup-sponsor-ended = The sponsorship has ended; both of them were told.
console-setup-volunteer-add = Add a volunteer sponsor (not a member)
console-setup-volunteer-add-do = Add volunteer
console-setup-volunteer-added = The volunteer was added as sponsor { $pseudonym }.
console-setup-volunteer-code = Give them this one-time code privately; they send it to the bot in Telegram to connect:
console-setup-settings = Helpline, alerts and retention
console-setup-helpline = Helpline text members see
console-setup-ack-urgent = Minutes to acknowledge an urgent alert
console-setup-ack-concern = Minutes to acknowledge a concern
console-setup-own-members-only = Counsellors see only their own members
console-setup-own-members-only-no = No, every member of the centre
console-setup-own-members-only-yes = Yes, only their own
console-setup-retention-circle-days = Days circle messages are kept
console-setup-retention-note-days = Days check-in notes are kept
console-setup-retention-escalation-days = Days resolved alerts are kept
console-setup-retention-craving-days = Days craving logs are kept
console-setup-retention-audit-days = Days the audit log is kept

## Invites

console-invites-title = Invites
console-invites-circle = Circle
console-invites-no-circle = No circle (the centre only)
console-invites-count = How many
console-invites-expires = Valid for (days)
console-invites-language = Language of the cards
console-invites-create = Create invites
console-invites-created = { $count } invite codes created. Print them and hand each card to one person.
console-invites-pdf = Sheet as PDF
console-invites-png = Page { $page } as PNG
console-invites-open = Open invites: { $count }

## Why a form was refused (bot/web/pages/setup.py refusal(); the terminal says the same in its own words)

console-refused-no-staff = There is no such staff member at this centre.
console-refused-no-staff-named = There is no staff member called { $name } at this centre.
console-refused-backup-counsellor = Only a counsellor can be a backup.
console-refused-already-deactivated = This person is already deactivated.
console-refused-deactivate-self = You cannot deactivate yourself.
console-refused-last-admin = The centre's last admin cannot be deactivated.
console-refused-no-counsellor-left = Please add another counsellor first: their members need someone.
console-refused-inactive-counsellor = Members can only be given to an active counsellor.
console-refused-no-member = There is no member with the pseudonym { $pseudonym } at this centre.
console-refused-pseudonym = "{ $text }" is not a pseudonym. Please write it like Lotus 7.
console-refused-no-sponsor = { $pseudonym } has no sponsor right now.
console-refused-volunteer-name = Please write the volunteer's name.
console-refused-no-circle = There is no such circle at this centre.
console-refused-no-circle-named = There is no circle called { $name } at this centre.
console-refused-capacity = A circle holds between 2 and { $max } members.
console-refused-capacity-below-members = The circle already has { $members } members: the capacity cannot be lower.
console-refused-circle-full = { $name } has room for { $free } more (capacity { $capacity }, counting members and open invites).
console-refused-circle-kind = Please choose one of the kinds of circle.
console-refused-circle-exists = There is already a circle called { $name }.
console-refused-schedule = The meeting time could not be read. For example: weekly sat 11:00 90
console-refused-ack-urgent = The time to acknowledge an urgent alert must be between 1 and 60 minutes.
console-refused-ack-concern = The time to acknowledge a concern must be between 5 and 1440 minutes.
console-refused-retention = Records can be kept between { $low } and { $high } days.
console-refused-staff-name = Please write the person's name.
console-refused-telegram-linked = That Telegram account is already linked to a staff member.
console-refused-invite-count = You can make between 1 and 500 invites at a time.
console-refused-invite-days = An invite can stay valid for 1 to 365 days.
console-refused-whole-numbers = Please give the number of invites and days as whole numbers.

## WhatsApp invite cards and sheets (a centre with a WhatsApp number)
console-invite-card-scan-whatsapp = Scan the square with your phone camera: WhatsApp opens a chat with Saathi, the first message already typed. Just tap send.
console-invite-card-type-whatsapp = Or send this on WhatsApp to { $number }: START { $code }
console-invites-pdf-whatsapp = WhatsApp sheet as PDF
console-invites-png-whatsapp = WhatsApp page { $page } as PNG

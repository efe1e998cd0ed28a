## Sponsors, missed check-ins and "I need to talk".
## A sponsor sees a pseudonym, whether each day had a check-in, and the streak: never answers, notes or cravings.

menu-talk = 💬 I need to talk
cmd-talk = Talk to your sponsor or counsellor
cmd-mentees = The people you sponsor
cmd-sponsor = Your sponsor

## Linking, with the mentee's consent

sp-ask-mentee =
    Your centre suggests { $sponsor } as your sponsor 🤝 — someone further along in recovery who can cheer you on.
    If you agree, { $sponsor } sees only your pseudonym, whether you checked in each day and your streak, plus any message you choose to send them. Never your answers, notes or cravings.
    You can end it any time with /sponsor. Would you like that?
btn-sp-agree = Yes, I'd like that
btn-sp-decline = No, thank you
sp-agreed-mentee = Wonderful 🌱 { $sponsor } is now your sponsor. Send /reply and a message to write to them; /sponsor shows your options.
sp-declined-mentee = That's completely fine — nothing has been shared. Your counsellor is always there for you.
sp-declined-staff = { $pseudonym } chose not to have { $sponsor } as their sponsor. Nothing was shared.
sp-already-answered = You've already answered this.
sp-linked-sponsor =
    You are now sponsoring { $pseudonym } 🤝 Thank you.
    You'll see whether they checked in each day and their streak (/mentees) — never their answers.
    Write to them with /encourage { $pseudonym } and your message, or reply to this message.
sp-your-sponsor =
    Your sponsor is { $sponsor } 🤝
    They see only whether you checked in each day and your streak, plus what you choose to send.
    • /reply and a message — write to them
    • /share — send them your latest check-in, only if you want to
    • /talk — when you need someone
btn-sp-swap = Swap Telegram contacts…
btn-sp-swap-with = 🔁 Contacts: { $pseudonym }
btn-sp-end = End the sponsorship
btn-sp-end-with = End: { $pseudonym }
sp-no-sponsor = You don't have a sponsor yet. If you'd like one, ask your counsellor — they can suggest someone further along in recovery.
sp-end-confirm = End the sponsorship with { $pseudonym }? They'll be told kindly; nothing else changes.
btn-sp-end-yes = Yes, end it
sp-ended-you = The sponsorship with { $pseudonym } has ended. Thank you for the time you shared.
sp-ended-by-mentee = { $pseudonym } has chosen to end the sponsorship. Thank you for walking alongside them — it mattered.
sp-ended-by-staff-sponsor = The centre has ended your sponsorship of { $pseudonym }. Thank you for all your support.
sp-ended-by-sponsor = { $sponsor } has stepped back as your sponsor. This isn't about you — your counsellor can help you find another sponsor if you'd like.
sp-ended-by-staff-mentee = The centre has ended the sponsorship with { $sponsor }. Your counsellor can tell you more, and help you find another sponsor if you'd like.
sp-ended-staff = The sponsorship of { $pseudonym } by { $sponsor } has ended.
sp-link-gone = This sponsorship is no longer active.

## Why a link could not be made (the CLI prints these in English)

sp-err-no-member = No member { $pseudonym } was found at this centre.
sp-err-mentee-inactive = { $pseudonym } hasn't finished joining, or has left, so they can't be linked now.
sp-err-no-sponsor = No member or volunteer { $pseudonym } was found at this centre.
sp-err-self = A member can't be their own sponsor.
sp-err-sponsor-inactive = { $pseudonym } isn't active right now, so they can't sponsor.
sp-err-too-soon = { $pseudonym } can sponsor after { $days } days in recovery.
sp-err-has-sponsor = { $pseudonym } already has a sponsor ({ $sponsor }), or has just been asked. End that first.
sp-err-full = { $pseudonym } already sponsors { $count } people, the most this centre allows.
sp-err-cycle = These two already sponsor each other the other way round.

## What a sponsor sees

sp-mentees =
    The people you sponsor — last 7 days (✅ checked in · ⬜ no check-in · ⏳ today, not yet):
    { $lines }

    Write to someone: /encourage PSEUDONYM your message
sp-mentee-line = { $pseudonym }: { $week } · streak { $days }
sp-mentee-waiting = { $pseudonym }: asked, waiting for them to agree
sp-no-mentees = You aren't sponsoring anyone right now. When your centre links you with someone who agrees, they'll appear here.
sp-not-sponsor = This is for sponsors. If you'd like to become one, talk to your centre.
sp-weekly =
    Your weekly sponsor summary 🌿 Last 7 days (✅ checked in · ⬜ no check-in · ⏳ today):
    { $lines }

    Thank you for being there for them.

## Relayed messages: only a pseudonym (or a counsellor's name) and the words

sp-relay-from-sponsor =
    💬 Your sponsor { $pseudonym }:
    { $text }

    ↩️ Reply to this message to answer.
sp-relay-from-mentee =
    💬 { $pseudonym } (you sponsor them):
    { $text }

    ↩️ Reply to this message to answer.
sp-relay-from-counsellor =
    💬 { $pseudonym } (your counsellor):
    { $text }

    ↩️ Reply to this message to answer.
sp-relay-from-member =
    💬 { $pseudonym }:
    { $text }

    ↩️ Reply to this message to answer.
sp-relay-sent = ✓ Sent to { $pseudonym }.
sp-relay-sent-later = ✓ It's night for { $pseudonym }, so your message will reach them at { $time }.
sp-relay-empty = Please add a message after the command.
sp-relay-no-contacts = To keep you both safe, phone numbers, @usernames and links aren't passed on. If you'd both like to swap contacts, use the “Swap Telegram contacts” button (/sponsor or /mentees).
sp-encourage-how = Write it like this: /encourage River 12 Thinking of you today 🌱
sp-not-your-mentee = { $pseudonym } isn't someone you sponsor. /mentees shows who is.
sp-reply-how = Write it like this: /reply and your message
sp-reply-nobody = There's no conversation to reply to yet.
sp-thread-gone = That conversation has ended, so I couldn't pass this on.
sp-recipient-away = They can't receive messages right now, so I couldn't pass this on.

## Swapping contacts: both must agree

sp-swap-no-username = To swap contacts you need a Telegram username (Telegram Settings → Username). Set one, then press the button again.
sp-swap-asked = { $pseudonym } would like to swap Telegram usernames so you can talk directly. Only if you want to — nothing is shared unless you agree too.
btn-sp-swap-yes = Yes, share mine too
sp-swap-waiting = Noted. If { $pseudonym } agrees too, you'll each get the other's username. Until then nothing is shared.
sp-swap-done = You both agreed 🤝 { $pseudonym } on Telegram: { $username }

## Sharing a check-in, only when the mentee chooses to

sp-share-nothing = There's no finished check-in from the last few days to share.
sp-share-preview =
    This is exactly what { $sponsor } would see:

    { $preview }

    Share it?
btn-sp-share = Share with my sponsor
sp-shared-checkin = 📋 { $pseudonym } shared their check-in of { $date }: mood { $mood }/5, craving { $craving }/10, used: { $used }. Note: { $note }
sp-share-sent = Shared with { $pseudonym } ✓

## Volunteers who are not members

sp-volunteer-bad-code = I couldn't find that volunteer code. Please check it with your centre.
sp-volunteer-taken = This Telegram account is already connected to Saathi (as a member, staff or volunteer).
sp-volunteer-welcome = Welcome, and thank you for volunteering 🤝 The people you sponsor will know you as { $pseudonym }. /mentees shows them.

## The counsellor's commands

sp-staff-link-how = Write it like this: /sponsorlink SPONSOR MENTEE — for example /sponsorlink Lotus 7 River 12
sp-staff-refused = Not linked: { $reason }
sp-staff-proposed = { $pseudonym } has been asked whether they'd like { $sponsor } as their sponsor. You'll hear if they say no.
sp-staff-proposed-later = It's quiet hours for { $pseudonym }, so I'll ask them at { $time } whether they'd like { $sponsor } as their sponsor. You'll hear if they say no.
sp-staff-no-link = { $pseudonym } has no sponsor.
sp-staff-unlinked = The sponsorship of { $pseudonym } has ended; both have been told.

## Missed check-ins

sp-gap-sponsor =
    { $pseudonym } hasn't checked in for { $days ->
        [one] 1 day
       *[other] { $days } days
    }. A short, warm message can mean a lot. Maybe:
    “{ $suggestion }”
    Tap below to send it, or write your own: reply to this message, or /encourage { $pseudonym } and your words.
btn-sp-send-suggestion = 💬 Send this encouragement
sp-suggest-1 = Thinking of you today 🌱 No pressure — I'm here whenever you want to talk.
sp-suggest-2 = Just checking in. Every day is a fresh start, and I'm in your corner 🤝
sp-suggest-3 = I've missed hearing from you! However things are going, you're not alone 🌿
sp-back-on-track = 🌱 { $pseudonym } checked in again today — back on track. Your support helps.
sp-gap-counsellor = { $pseudonym } ({ $name }) has missed { $days } check-ins in a row and has no sponsor. A short call or message may help. /member { $pseudonym }
sp-back-on-track-staff = { $pseudonym } checked in again after { $days } missed check-ins.
sp-reason-missed = { $days } check-ins missed in a row
sp-reason-rate = check-ins dropped sharply this week
sp-reason-unreachable = can't be reached on Telegram (blocked the bot or lost the account); no check-ins are arriving

## "I need to talk"

sp-talk-choose =
    Who would you like to talk to? I'll ask them to open a private chat with you here.

    If you're in danger right now: { $helplines }
btn-sp-talk-sponsor = 🤝 My sponsor { $sponsor }
btn-sp-talk-counsellor = 🧑‍⚕️ My counsellor
sp-talk-ping-sponsor = { $pseudonym } would like to talk 💬 Tap below to start a chat — it stays anonymous, messages pass through me.
btn-sp-start-chat = Start chat
sp-talk-sent-sponsor = I've asked { $sponsor } 🤝 If they can't answer within { $minutes } minutes, I'll ask your counsellor too.
sp-talk-sent-sponsor-night = It's night for { $sponsor }, so they'll get your request at { $time }. If you need someone sooner, I can ask your counsellor now:
sp-talk-sent-counsellor =
    I've asked { $name }. They'll open a chat with you here as soon as they can.

    If you're in danger right now: { $helplines }
sp-talk-already = I've already asked — they'll be with you as soon as they can. You can also write with /reply.
sp-talk-ping-staff = { $pseudonym } ({ $name }) would like to talk with you 💬 Tap below to open a chat with them here.
sp-talk-offer-staff = { $pseudonym } ({ $name }) asked their sponsor to talk and hasn't had an answer yet. Could you reach out? Tap below to open a chat.
sp-talk-offered-counsellor = { $sponsor } hasn't been able to answer yet, so I've asked { $name } too. Whoever is free first will start a chat with you.
sp-talk-taken = Someone has already answered this request. Thank you!
sp-talk-connected-member = 🤝 { $sponsor } is here for you. Reply to this message (or send /reply and your message) to talk.
sp-talk-connected-sponsor = You're connected with { $pseudonym } 💬 Reply to this message to write. Listening is often enough.
sp-talk-connected-member-staff = 🧑‍⚕️ { $name } from your centre is here for you. Reply to this message (or send /reply and your message) to talk.
sp-talk-connected-staff = You're connected with { $pseudonym }. Reply to their messages (or /reply …) to write; they see your name, not your Telegram account.
btn-sp-end-chat = End chat
sp-talk-ended-member = The chat with { $name } has ended. You can ask again any time with /talk 🌿
sp-talk-ended-staff = The chat with { $pseudonym } has ended.
sp-talk-suggest-counsellor = You've reached out to your sponsor a few times this week — that takes courage 🌱 A session with your counsellor could help too. Shall I ask for one?
btn-sp-ask-session = Yes, ask my counsellor
sp-session-request = { $pseudonym } ({ $name }) would like a session with you. They have been leaning on their sponsor this week.
sp-session-asked = I've asked { $name } to offer you a session. They'll be in touch 🌿

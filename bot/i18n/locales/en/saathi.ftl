## Saathi — English catalog. Voice: warm, short, non-judgmental, person-first.
## Every id here must exist in hi and mr too (a test checks).

helplines-default = Tele-MANAS 14416 or 1-800-891-4416 (24×7, free), National De-addiction Helpline 14446, emergency 112

## Language names are written in their own script in every catalog.
lang-name-en = English
lang-name-hi = हिन्दी
lang-name-mr = मराठी

## Onboarding
start-no-code =
    Namaste 🌿 I'm Saathi, a companion from your recovery centre.
    To join, please open the invite link your centre gave you, or send /start followed by your invite code.
start-bad-code = I couldn't find that invite code. Please check it with your centre — they can give you a new one.
start-used-code = This invite code has already been used. If it was yours, just send /start. Otherwise your centre can give you a new one.
start-expired-code = This invite code has expired. Your centre can give you a fresh one.
start-code-other-bot = This invite code belongs to another centre, which has its own Saathi bot. Please open the invite link your centre gave you — it takes you to the right place.
start-welcome-back = Welcome back, { $pseudonym } 🌿 You're already with us. The menu is below.
start-resume = Let's pick up where we left off 🌿
onboard-choose-language = Namaste 🌿 Which language would you like? / आप कौन-सी भाषा चाहेंगे? / तुम्हाला कोणती भाषा हवी?
onboard-explain =
    I'm Saathi 🌿 I'll check in with you once a day, help when cravings hit, and keep you connected with your centre.

    Who sees what:
    • Your counsellor sees your name and your check-ins, so they can support you.
    • Your peer circle sees only a pseudonym and what you choose to share — never your name or number.
    • A sponsor, if you have one, sees only whether you checked in, not what you said — unless you choose to share a check-in or write to them.
    • If something you write sounds like you are in danger, your counsellor is told right away. They are also told, so they can support you, when you say you have used or a craving is very strong.

    You can pause at any time. Do you agree to start?
btn-consent-yes = I agree
btn-consent-no = Not now
onboard-consent-declined = That's completely okay. Whenever you feel ready, just send /start again 🌿
onboard-ask-time = What time of day should I check in with you? Pick one, or type a time like 21:30.
btn-time-morning = Morning 8:00
btn-time-afternoon = Afternoon 14:00
btn-time-evening = Evening 20:00
onboard-time-invalid = I didn't catch that time. Please tap a button, or type it like 21:30.
onboard-ask-sobriety = If you like, tell me the date your recovery began (for example 01/10/2026). It helps me celebrate milestones with you. You can also skip this.
onboard-sobriety-invalid = I couldn't read that date. Please write it like 01/10/2026, or tap Skip.
onboard-sobriety-future = That date is still ahead of us. Please write the day your recovery began, or tap Skip.
btn-skip = Skip
onboard-done =
    All set 🌿 In your circle you'll be known as { $pseudonym } — only your counsellor knows your name.
    I'll check in every day at { $time }. Whenever a craving hits, tap 🆘 or send /craving.
onboard-finish-first = Let's finish setting up first 🌿

## Main menu (a keyboard under the message box)
menu-craving = 🆘 Craving help
menu-settings = ⚙️ Settings
menu-help = ❓ Help
menu-prompt = What would you like to do?
help-text =
    Here's what I can do 🌿
    • Every day at { $time } I'll ask how you are — it takes a minute.
    • /craving — help right now when a craving hits.
    • /talk — ask your sponsor or counsellor to talk with you.
    • Anything else you write goes to your circle under your pseudonym; /unsend takes back your last message, and /report (as a reply) tells the facilitator about a message.
    • /settings — language, check-in time, pause, high-risk times.
    • /mydata — a file of everything Saathi keeps about you; /forget — erase it.
    • /help — this message.
    Your counsellor is there for you too. In an emergency: { $helplines }

## Settings
settings-menu = Settings — what would you like to change?
btn-settings-language = Language
btn-settings-time = Check-in time
btn-settings-pause = Pause check-ins
btn-settings-resume = Resume check-ins
btn-settings-highrisk = High-risk times
btn-settings-sobriety = Recovery start date
settings-language-changed = Done — I'll speak English from now on.
settings-time-changed = Done — I'll check in at { $time } from now on.
settings-pause-ask = For how many days should I pause check-ins?
btn-pause-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
settings-paused = Check-ins are paused until { $date }. I'm still here — /craving works any time 🌿
settings-resumed = Welcome back 🌿 Check-ins are on again, next at { $time }.
settings-not-paused = Check-ins are already on.
settings-highrisk-ask = When are cravings usually hardest for you? I'll send a short check at those times. Tap all that fit, then Done.
highrisk-evenings = Evenings
highrisk-nights = Nights
highrisk-weekends = Weekends
settings-highrisk-saved = Saved 🌿 I'll check on you at those times.
settings-highrisk-cleared = Okay — no extra craving checks.
settings-sobriety-saved = Saved 🌿 Your recovery start date is { $date }.

## Daily check-in
checkin-ask-mood =
    Hi { $pseudonym } 🌿 Time for today's check-in.
    How is your mood right now? (1 = very low, 5 = very good)
checkin-ask-craving = How strong is any craving today? 0 = none, 10 = very strong.
checkin-ask-triggers = Did any of these make today harder? Tap all that fit, then Done.
checkin-ask-use = Have you used since your last check-in? Whatever the answer, you are welcome here.
checkin-ask-note = Anything else you'd like to note? Type a few words, or tap Skip.
checkin-answered = { $question }
    ✓ { $answer }
btn-done = Done ✓
btn-none-today = None today
btn-use-no = No
btn-use-yes = Yes
btn-use-undisclosed = Prefer not to say
checkin-thanks = Thank you for checking in 🌿
checkin-lapse = Thank you for being honest — that takes courage. A lapse is part of many people's recovery and does not undo what you have built. Your counsellor is there for you, and so am I.
checkin-coping = Something that may help today — { $title }: { $body }
checkin-streak = { $days ->
    [one] 1 day of check-ins in a row.
   *[other] { $days } days of check-ins in a row.
}
checkin-milestone = 🎉 { $days ->
    [one] One day
   *[other] { $days } days
} in recovery. That is something to be proud of — one day at a time.
checkin-sober-count = 🌱 { $days ->
    [one] One day
   *[other] { $days } days
} in recovery so far. Every one of them counts.
checkin-reminder = Just a gentle nudge 🌿 Today's check-in is still open whenever you're ready.
checkin-stale = That check-in has closed. The next one will come at your usual time 🌿
checkin-invalid-mood = Please choose a number from 1 to 5.
checkin-invalid-craving = Please choose a number from 0 to 10.
checkin-invalid-triggers = Please tap the ones that fit, or Done.
checkin-invalid-use = Please tap No, Yes, or Prefer not to say.
checkin-invalid-note = That note is a bit long — please keep it under 1000 characters.
checkin-stale-answer = That question is already answered 🌿

## Triggers
trigger-stress = Stress
trigger-people = People
trigger-places = Places
trigger-boredom = Boredom
trigger-loneliness = Loneliness
trigger-anger = Anger
trigger-celebration = Celebration
trigger-pain = Pain or withdrawal
trigger-money = Money
trigger-family = Family conflict
trigger-other = Something else

## Cravings
craving-prompt = A short check 🌿 How strong is any craving right now? 0 = none, 10 = very strong.
craving-toolkit =
    Cravings rise and fall like a wave — this one will pass. Try one of these now:
craving-strategy = • { $title }: { $body }
craving-breathing = Breathe with me: in for 4 … hold for 4 … out for 4 … hold for 4. Repeat four times.
craving-ask-strength = How strong is it, 0 to 10? Noting it helps.
craving-guest-helplines = If it feels like too much, please talk to someone now: { $helplines }
craving-logged = Noted: craving { $strength }/10. Naming it is already a step 🌿
craving-logged-low = Noted: craving { $strength }/10. Good to check in with yourself 🌿
btn-reach-out = Ask someone to reach out to me
craving-reach-out-sent = I've asked your counsellor to reach out to you 🌿 Meanwhile, try the breathing above. In an emergency: { $helplines }
craving-reach-out-none = Your counsellor isn't connected to me yet. Please call your centre, or: { $helplines }
staff-reach-out-request = { $pseudonym } ({ $name }) would like someone to reach out { $strength ->
    [none] after a craving.
   *[other] after a craving of { $strength }/10.
}

## Staff
staff-linked = Welcome, { $name }. This account is now linked as { $role } at { $center }. Alerts about your members will arrive here.
staff-link-invalid = This staff link is not valid or was already used. Please ask your centre admin for a new one.
staff-already-linked = You're already linked as staff at { $center }.
staff-not-member = This chat is for staff alerts. Member features are not available here.

## Fallback and errors
fallback-text = I'm here 🌿 Tap 🆘 or send /craving if a craving hits, /settings to change things, /help for more.
fallback-unsupported = I can only read text messages for now. Please type what you'd like to say 🌿
fallback-too-long = That message is too long for me to read. Please send it in shorter parts.
fallback-unknown-command = I don't know that command. /help shows what I can do.
button-expired = This button is no longer active.
error-generic = Sorry — something went wrong on my side. Please try again in a moment.
input-unstorable = I couldn't take that message: it has a hidden character in it that I can't keep. Could you type it again? 🌿
private-only = I only work in private chats, to protect everyone's privacy. Please message me directly.

## The command menu in Telegram
cmd-craving = Help right now with a craving
cmd-settings = Language, time, pause
cmd-help = What Saathi can do

## Safety replies to the member (safe-messaging practice: no methods, no places, never blame)
safety-urgent =
    Thank you for telling me — I'm really glad you reached out. You are not alone in this.
    I've let your counsellor know right now, and someone from your centre will contact you soon.
    If you might act on these thoughts right now, please call 112, or talk to someone free and confidential, any time: { $helplines }
    If you can, stay near someone you trust until you hear from us.
safety-concern = Thank you for telling me. That sounds hard, and you don't have to carry it alone — I've let your counsellor know, so they can reach out. Meanwhile, something that may help right now:
safety-concern-lapse = Thank you for being honest — that takes courage. A lapse is part of many people's recovery; it doesn't undo what you've built. I've let your counsellor know so they can support you. For the next few hours:
btn-call-me = Please call me
safety-call-requested = I've asked your counsellor to call you 🌿 If you can't wait: { $helplines }
safety-call-already-requested = I have it 🌿 Your counsellor was asked { $minutes } min ago to call you, and knows it is urgent. If they have not answered within { $ack } minutes, I ask the other counsellors at your centre too. If you can't wait: { $helplines }
safety-call-received = Received — your counsellor knows you asked for a call 🌿

## Follow-up questions after something that worried me (modelled on the C-SSRS screener)
fu-intro = Thank you for sharing that with me. May I ask a few short yes-or-no questions, so your centre can support you better? There are no wrong answers.
fu-q-wish_dead = In the past month, have you wished you were dead, or wished you could go to sleep and not wake up?
fu-q-thoughts_kill = In the past month, have you had any thoughts of killing yourself?
fu-q-method = Have you been thinking about how you might do this?
fu-q-intent = Have you had these thoughts and had some intention of acting on them?
fu-q-plan = Have you started to work out, or worked out, the details of how to kill yourself? Do you intend to carry out this plan?
fu-q-preparation = In the past three months, have you done anything, started to do anything, or prepared to do anything to end your life?
fu-done = Thank you for answering so openly 🌿 I'm here whenever you want to talk, and so is your counsellor. If things get heavy: { $helplines }

## Alerts and commands for counsellors
esc-level-urgent = 🚨 URGENT
esc-level-concern = ⚠️ Concern
esc-alert =
    { $level } · #{ $id } · { $pseudonym } ({ $name })
    Why: { $reasons }
    Language: { $language }
    They wrote: “{ $excerpt }”
    Last 7 days:
    { $history }
    Sponsor: { $sponsor }
    { $escalated }
esc-step-note = Nobody has acknowledged this yet — you are receiving it as the next person on call.
esc-no-sponsor = none
esc-history-none = no check-ins yet
esc-history-line = { $day }: mood { $mood }, craving { $craving }, used { $used }
esc-history-missed = { $day }: no check-in
btn-esc-ack = Acknowledge
btn-esc-resolve = Resolved…
btn-esc-history = Show history
esc-acked = #{ $id } acknowledged by { $name }. Thank you — the member has been told someone is on it.
esc-resolved = #{ $id } resolved; your note is saved.
esc-resolve-how = To resolve #{ $id }, send: /resolve { $id } followed by a short note of what was done.
esc-not-found = There is no escalation #{ $id } at your centre.
esc-already = #{ $id } is already { $state }.
esc-state-open = open
esc-state-acknowledged = acknowledged
esc-state-resolved = resolved
esc-call-request = 📞 { $pseudonym } ({ $name }) asks for a call now (#{ $id }).
queue-empty = No open escalations 🌿
queue-title = Open escalations: { $count }
queue-line = #{ $id } { $level } · { $pseudonym } · { $minutes } min ago · { $state }
member-not-found = No member with that pseudonym at your centre. Use: /member Lotus 27
member-summary =
    { $pseudonym } ({ $name }) · { $status } · { $language } · check-in at { $time }
    Open escalation: { $escalation }
    Last 14 days:
    { $history }
staff-only = This is not available.

## Member status words for counsellors
member-status-onboarding = joining
member-status-active = active
member-status-paused = paused
member-status-unreachable = unreachable (blocked the bot)
member-status-left = left

## When a counsellor acknowledges an alert
safety-acknowledged = Your counsellor has seen your message and will be in touch soon 🌿 You are not alone.

## Dropout-risk and other watch-level notices
esc-level-watch = 👀 Watch

## When the consent text changes
consent-changed = The way Saathi works has changed a little, so I'd like to ask you again before your next check-in. Here is what it means now:
consent-thanks = Thank you 🌿 Your daily check-in continues at { $time }.
consent-declined-paused = That's okay. I've paused your check-ins and kept everything as it was. Whenever you're ready, /settings lets you resume. In an emergency, call 112.

## Roles: a command that is not for this person, and a staff link on an account that already has a role
not-available = Sorry, that is not available to you. /help shows what you can do here 🌿
staff-link-taken = This Telegram account is already linked to Saathi in another way, so it can't also become a staff account. Please ask your centre admin.
staff-link-other-bot = This staff link belongs to another centre's Saathi bot. Please open the link exactly as your centre admin sent it.

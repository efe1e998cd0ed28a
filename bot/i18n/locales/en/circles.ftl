## Peer circles — English. Voice: warm, short, person-first; never names anyone but by pseudonym.
## Every id here must exist in hi and mr too (a test checks).

## Kinds of circle
circle-kind-12_step = 12-step
circle-kind-self_help = self-help
circle-kind-therapist = counsellor-led
circle-kind-alumni = alumni

## Shown after a facilitator's staff name: "Meera (facilitator): …"
circle-facilitator-mark = facilitator

## Joining and leaving
circle-welcome =
    🌿 Welcome to { $circle }, a { $kind } circle.
    Here you are { $pseudonym } — nobody in the circle sees your name, number or photo.
    Anything you type to me (outside a check-in) goes to everyone in the circle, and their words come to you.
    • Reply to a message to answer it.
    • /unsend takes back your last message.
    • /report (as a reply) quietly tells the facilitator about a message.
    • /circle shows your circle and the next meeting.
    Only words travel here, so everyone stays safe.
# added to the welcome when someone in the circle is on a channel that cannot protect messages
circle-welcome-unprotected = One honest word: some people in this circle use WhatsApp, which cannot stop a message being forwarded or saved, and a message taken back with /unsend may stay on their phones. Share only what you are comfortable with.
circle-joined-body = joined the circle. Say hello when you like 🌿
circle-left-removed = You are no longer in { $circle }. Your counsellor can talk with you about what comes next — you are still welcome here, and /craving works any time 🌿
circle-left-closed = { $circle } has come to a close. Thank you for being part of it 🌿 Your counsellor can help you find another circle.

## Relaying
circle-muted-note = Your messages are paused in the circle until { $until }. You can still read along — and I'm here if you need /craving 🌿
circle-flood = That's a lot of messages at once — the circle can take up to { $limit } a minute from each person. Please wait a moment, then carry on 🌿
circle-too-long = That message is a bit long for the circle. Could you send it in shorter parts?
circle-contact-refused = I didn't share that one: it seems to contain a phone number, a username, an e-mail or a link. Keeping those out of the circle protects everyone's privacy, yours too 🌿
circle-held-abuse = I've held that message for the facilitator to read before it goes to the circle. Strong feelings are welcome here — please say them in a way that is kind to others 🌿
circle-held-review = Your messages are being read by the facilitator before they reach the circle for now. They will be shared soon.
circle-released = The facilitator has shared your message with the circle 🌿
circle-copy-removed = 🌿 (This message was taken back by its author.)
circle-unsent = Done — your last message has been removed from everyone's phone.
circle-unsend-none = There is no message of yours in the circle to take back.

## Photos, voice and other media are not relayed
circle-media-photo = Photos aren't shared in the circle — a photo can show who someone is, or where they are. Please put it into words instead 🌿
circle-media-voice = Voice messages aren't shared in the circle — a voice can be recognised. Please type what you'd like to say 🌿
circle-media-video = Videos aren't shared in the circle — they can show who someone is, or where. Please put it into words instead 🌿
circle-media-sticker = Stickers aren't shared in this circle, only words. Please type what you'd like to say 🌿
circle-media-contact = Contacts aren't shared in the circle, to protect everyone's privacy — yours too 🌿
circle-media-location = Locations aren't shared in the circle, to keep everyone safe — yours too 🌿
circle-media-document = Files aren't shared in the circle — they can carry names and details. Please type what you'd like to say 🌿
circle-media-other = Only words are shared in the circle, so nobody can be recognised. Please type what you'd like to say 🌿

## Reports
circle-report-how = To report a message, reply to it with /report. The facilitator will see it; the person who wrote it won't know it was you.
circle-report-already = You have already reported that message. Thank you — it is with the facilitator.
circle-report-thanks = Thank you for telling us. The facilitator will look at it; your report stays private 🌿
circle-report-staff =
    🚩 Report in { $circle }
    From: { $reporter }
    About a message by { $pseudonym }:
    “{ $text }”
circle-review-hold-on = { $pseudonym } has been reported by several members of { $circle }. Their messages will now wait for your review before reaching the circle.
btn-circle-lift-review = Stop holding their messages
circle-review-lifted = Their messages reach the circle directly again.
btn-circle-mute-hour = Mute 1 hour
btn-circle-mute-day = Mute 24 hours
circle-muted-toast = Muted.

## Held messages, for the facilitator or counsellor
circle-review-abuse =
    ⏸ Held in { $circle } (harsh language)
    { $pseudonym }: “{ $text }”
circle-review-review =
    ⏸ Held in { $circle } (after reports)
    { $pseudonym }: “{ $text }”
btn-circle-release = Share with the circle
btn-circle-keep = Keep it held
circle-review-released = ✓ Shared with the circle.
circle-review-kept = ✓ Kept back; it was not shared.
circle-review-done-already = Someone has already decided about this message.

## Milestones and encouragement
circle-milestone-offer = Would you like to share this milestone with your circle? They will see it from { $pseudonym } only.
btn-circle-share = Share with my circle
btn-circle-private = Keep it private
circle-milestone-body = { $days ->
    [one] 1 day in recovery today!
   *[other] { $days } days in recovery today!
}
circle-milestone-shared = Shared with your circle 🌿
circle-milestone-already = You have already shared this one.
circle-encourage-body = cheers you on for your milestone!
circle-encourage-sent = Sent — they will see it from your pseudonym only.
circle-encourage-already = You have already cheered this one on 🌿

## /circle
circle-not-in-one = You are not in a peer circle yet. Your counsellor can add you to one.
circle-none = Peer circles are for members. To join Saathi, please use the invite link from your centre.
circle-staff-none = This is for circle members. As staff you can use /circle to see how your circles are doing.
circle-info = 🌿 { $circle } · { $kind } · { $members } of { $capacity } members. You are { $pseudonym } here.
circle-info-meeting = Next meeting: { $when }. Goal: { $goal }
circle-info-how = Type to talk with the circle · reply to answer a message · /unsend takes back your last one · /report (as a reply) tells the facilitator.
circle-health-none = There are no circles at your centre yet.
circle-health-title = Circle health, last { $days } days:
circle-health-line = • { $circle }: { $members }/{ $capacity } members, { $active } wrote, { $per_day } messages a day, { $reports } reports, { $held } held now

## Facilitators
circle-which = Which circle is this for? Start with its name, for example: /{ $command } { $circles }: …
circle-say-how = To write to your circle: /say followed by your message (or reply to a circle message with /say).
circle-goal-how = To post the session goal: /goal followed by the goal.
circle-pin-how = To pin a prompt: /pin followed by the prompt.
circle-say-done = Sent to { $circle }.
circle-goal-done = Session goal posted in { $circle }.
circle-pin-done = Prompt pinned in { $circle }; it comes with every meeting reminder.
circle-goal-posted = Today's session goal: { $goal }
circle-mute-how = To mute someone: /mute followed by their pseudonym and minutes, for example /mute Lotus 27 60
circle-remove-how = To remove someone from their circle: /remove followed by their pseudonym, for example /remove Lotus 27
circle-move-how = To move someone: /move followed by their pseudonym and the circle's name, for example /move Lotus 27 Evening Circle
circle-mute-done = { $pseudonym } is muted in the circle until { $until }.
circle-muted-member = The facilitator has paused your messages in the circle until { $until }. You can still read along, and your counsellor is here for you 🌿
circle-remove-done = { $pseudonym } has left { $circle }.
circle-move-done = { $pseudonym } is now in { $circle }.
circle-full = { $circle } is full.
circle-invite-full = { $circle } filled up before you joined, so you aren't in it yet. Your counsellor can find you a place in a circle 🌿
circle-closed = { $circle } is closed.
circle-already-there = They are already in { $circle }.

## Meetings
circle-goal-progress = sharing progress
circle-goal-coping = learning a coping skill
circle-goal-high_risk = planning for high-risk situations
circle-goal-wins = celebrating wins, big and small
circle-goal-open = open sharing
circle-meeting-reminder = 🌿 { $circle } meets at { $time } today ({ $minutes } minutes). Session goal: { $goal }. See you there.
circle-meeting-start = 🌿 { $circle } is starting now. Today's goal: { $goal }.
circle-opener-checkin_word = To begin: share one word for how you are arriving today. Any word is fine.
circle-opener-breathing_box = Let's arrive together. Breathe in for 4 … hold for 4 … out for 4 … hold for 4. Four rounds, at your own pace.
circle-opener-small_win = To begin: what is one small thing that went well since we last met?
circle-opener-grounding = A minute to land: notice 5 things you can see, 4 you can hear, 3 you can touch. Then share, if you like, how you feel now.
circle-opener-breathing_478 = Let's breathe together: in through the nose for 4, hold for 7, out slowly through the mouth for 8. Three times.
circle-opener-gratitude = To begin: name one person or thing you are grateful for today.
circle-opener-body_scan = Close your eyes if you like. Notice your feet, your hands, your shoulders — let them soften. Take one slow breath. Welcome.

## Gentle nudges and staff notes
circle-invite-back = We've missed you in { $circle } 🌿 No pressure at all — whenever you feel like it, even a short hello helps the circle.
circle-unreachable-staff = { $pseudonym } ({ $name }) seems to have blocked Saathi, so messages no longer reach them. They are marked unreachable — nothing was deleted. You may want to reach them another way.

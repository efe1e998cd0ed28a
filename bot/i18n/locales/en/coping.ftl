# Coping strategies: one title and one short body per strategy in
# bot/domain/coping.py. Bodies are things a person can do right now, in 1–3
# short sentences. Warm, plain, never judging; a lapse is part of recovery.

coping-suggest-counsellor = Your counsellor at the centre can help with this too. It's okay to reach out today.

coping-urge_surfing-title = Surf the urge
coping-urge_surfing-body = A craving rises, peaks and passes, usually within 20–30 minutes. Notice where you feel it in your body and breathe with it, like riding a wave. You don't have to act on it.

coping-delay_distract_decide-title = Delay, distract, decide
coping-delay_distract_decide-body = Tell yourself: not for the next 15 minutes. Keep your hands or mind busy with something else until then. Then decide again — most urges are smaller by then.

coping-box_breathing-title = Box breathing
coping-box_breathing-body = Breathe in for 4, hold for 4, breathe out for 4, hold for 4. Do this four times. Slow breathing tells your body it is safe.

coping-halt-title = HALT check
coping-halt-body = Ask yourself: am I Hungry, Angry, Lonely or Tired? Any of these can feel like a craving. Take care of the one that fits first.

coping-grounding_54321-title = 5-4-3-2-1 grounding
coping-grounding_54321-body = Name 5 things you can see, 4 you can touch, 3 you can hear, 2 you can smell and 1 you can taste. It brings your mind back to right here, right now.

coping-call_sponsor-title = Call your sponsor
coping-call_sponsor-body = Your sponsor has walked this road too. Call or message them now — you don't need the right words, just say it's a hard moment.

coping-play_the_tape_forward-title = Play the tape forward
coping-play_the_tape_forward-body = Picture the whole story, not just the first few minutes. Where does it end, and how will you feel the next morning? Now picture that morning if you get through this moment.

coping-walk_outside-title = Step outside for a walk
coping-walk_outside-body = Put on your chappals and walk for ten minutes, even just around the block. Moving your body and getting fresh air eases the restlessness.

coping-water_and_food-title = Drink water, eat something
coping-water_and_food-body = Drink a full glass of water and eat something simple — fruit, a roti, a handful of peanuts. Hunger and thirst make cravings and body aches feel worse.

coping-journal-title = Write it down
coping-journal-body = Write three lines about what you're feeling and what set it off. No one else has to read it. Putting it on paper makes it lighter.

coping-gratitude_three-title = Three good things
coping-gratitude_three-body = Name three things from today that went okay, however small — a cup of chai, a kind word, a job finished. Small good things add up.

coping-call_counsellor-title = Talk to your counsellor
coping-call_counsellor-body = Your counsellor at the centre is there for exactly this. Call or message them today and tell them how things are — they will help, not blame.

coping-attend_meeting-title = Go to a meeting
coping-attend_meeting-body = Join a group meeting today, in person or online. Sitting with people who understand helps, even if you only listen.

coping-change_place-title = Change where you are
coping-change_place-body = If this place is pulling you towards using, leave now. Go somewhere safe — home, a friend's house, a place of prayer, or the centre.

coping-cold_water-title = Cold water on your face
coping-cold_water-body = Splash cold water on your face, or hold something cold for thirty seconds. The cold slows your heartbeat and takes the edge off anger and urges.

coping-music-title = Put on a song
coping-music-body = Play one song you love and really listen, or sing along. Music can shift your mood faster than thinking can.

coping-prayer_or_meditation-title = A quiet minute
coping-prayer_or_meditation-body = Sit quietly for a few minutes — pray in your own way, or simply watch your breath. Let thoughts come and go without chasing them.

coping-plan_tomorrow-title = Plan tomorrow
coping-plan_tomorrow-body = Write one small plan for tomorrow: when you'll wake up, one thing you'll do, and who you'll call if it gets hard. A fresh day starts with a simple plan.

coping-rest_and_sleep-title = Rest your body
coping-rest_and_sleep-body = Lie down somewhere quiet, even for twenty minutes, and let your body rest. Tiredness and pain make everything harder; rest is part of recovery too.

coping-reach_out_friend-title = Reach out to someone
coping-reach_out_friend-body = Message someone who supports your recovery — a friend, someone in your family, someone from group. Even “having a rough day” is enough.

coping-hand_over_cash-title = Hand over the cash
coping-hand_over_cash-body = If you have cash on you, give it to someone you trust to keep for today, or leave your card at home. When money isn't in easy reach, you get time to choose.

coping-step_away-title = Step away from the argument
coping-step_away-body = Say “I need ten minutes” and step out of the room. You can come back to the talk when you're calmer — that is strength, not running away.

coping-busy_hands-title = Keep your hands busy
coping-busy_hands-body = Pick a small task you can finish in twenty minutes — cook something, tidy a shelf, fix something, water the plants. Busy hands settle a restless mind.

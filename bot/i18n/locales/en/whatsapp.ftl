## WhatsApp: the words the WhatsApp rendering adds, and the templates sent outside the 24-hour window.
## Template bodies never say what the centre treats: a family member may see the phone.

wa-list-button = Choose
wa-menu-button = Menu
wa-reply-number = Reply with the number of your choice.

wa-tpl-checkin-body = Hi { $name }, it's time for your daily check-in. Tap below whenever you're ready.
wa-tpl-checkin-button = Check in now
wa-tpl-reminder-body = Hi { $name }, a gentle reminder from Saathi. Tap below when you have a minute.
wa-tpl-reminder-button = Open Saathi
wa-tpl-sponsor-body = Hi { $name }, there is a new message for you on Saathi. Tap below to read it.
wa-tpl-sponsor-button = Read it
wa-tpl-staff-body = Hi { $name }, someone at your centre is waiting to hear from you. Tap below to see it now.
wa-tpl-staff-button = Show me

# WhatsApp adapter (bot/delivery/whatsapp.py): the button that opens a list of choices (at most 20 characters)
wa-list-button = निवडा
# choices beyond WhatsApp's list of 10, shown as text under the question
wa-choices-typed = यापैकी एक लिहून पाठवा: { $choices }

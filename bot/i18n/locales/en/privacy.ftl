## Your data: a copy of everything (/mydata) and being forgotten (/forget).

prv-export-caption = Here is everything Saathi keeps about you 📄 Only you received this file. Keep it somewhere safe.
prv-nothing-stored = Saathi keeps no data about this Telegram account.

prv-forget-ask =
    Do you want Saathi to forget you?
    If you say yes, we erase your name, your check-in answers and notes, what you wrote in your circle (it is also removed from the others' phones where Telegram allows), and your link to a sponsor.
    Your centre keeps only anonymous numbers — for example, that someone checked in on a day — with nothing that says it was you.
    Your counsellor will be told. This cannot be undone, and you can always join again later with a new invite.
btn-prv-forget-yes = Yes, forget me
btn-prv-forget-no = No, keep my data
prv-forget-kept = Nothing was erased. Saathi is still here with you 🌿
prv-forget-done =
    Done. Saathi has forgotten you 🌿
    Thank you for the time we walked together. If you ever want to come back, ask your centre for a new invite — you'll be welcome.

prv-forget-staff = { $pseudonym } asked Saathi to forget them. Their personal data has been erased; only anonymous counts remain.
prv-forget-staff-alert-closed = Their open alert was closed with the note "member asked to be forgotten".
prv-copy-removed = 🌿 (This message was removed.)

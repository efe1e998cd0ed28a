## वेब कंसोल (bot/web): साइन-इन, नेविगेशन, अलर्ट, ऑडिट। सभी id console- से शुरू होते हैं।

console-link =
    साथी कंसोल के लिए आपका साइन-इन लिंक (एक बार, { $minutes } मिनट तक चलेगा):
    { $link }
    इसे किसी से साझा न करें: यह आपके नाम से कंसोल खोलता है।
console-title = कंसोल
console-nav-alerts = अलर्ट
console-nav-audit = ऑडिट
console-signout = साइन आउट
console-signout-everywhere = हर डिवाइस से साइन आउट करें
console-back = कंसोल पर वापस
console-signin-title = साइन इन
console-signin-how = टेलीग्राम में साथी बॉट को /console भेजें: वह आपको एक साइन-इन लिंक भेजेगा, जो एक बार, 10 मिनट तक चलता है।
console-signin-failed = इस साइन-इन लिंक का समय खत्म हो गया है या यह पहले ही इस्तेमाल हो चुका है। नया लिंक पाने के लिए बॉट को /console भेजें।
console-error-forbidden = यह पेज आपके लिए उपलब्ध नहीं है।
console-error-not-found = नहीं मिला।
console-error-too-many = बहुत सारी कोशिशें हो गईं। कृपया एक मिनट रुककर फिर कोशिश करें।
console-error-other = कुछ गड़बड़ हो गई। कृपया फिर कोशिश करें।
console-alerts-title = अलर्ट
console-alerts-none = कोई खुला अलर्ट नहीं है। जिसने भी मदद माँगी, उसे जवाब मिल चुका है।
console-alert-urgent = तुरंत
console-alert-concern = चिंता
console-alert-since = { $minutes } मिनट पहले
console-alert-open = किसी के जवाब का इंतज़ार
console-alert-acknowledged = देख लिया गया
console-alert-step-0 = सूचना: उनके काउंसलर को
console-alert-step-1 = सूचना: बैकअप काउंसलरों को
console-alert-step-2 = सूचना: सभी काउंसलरों को
console-alert-ack = मैं देख रहा/रही हूँ
console-alert-note = क्या किया गया
console-alert-resolve = पूरा करें
console-alert-outcome-done = हो गया। सदस्य को बता दिया गया है कि कोई उनके साथ है।
console-alert-outcome-already = इस अलर्ट को कोई और पहले ही देख चुका है।
console-alert-outcome-note-needed = पूरा करने से पहले कृपया एक छोटा नोट लिखें कि क्या किया गया।
console-watch-title = छूटे हुए चेक-इन
console-watch-missed = { $days } दिन से कोई चेक-इन नहीं
console-watch-dropout = { $days } दिन से कोई चेक-इन नहीं: शायद साथ छूट रहा है
console-audit-title = ऑडिट लॉग
console-audit-action = काम
console-audit-any = कोई भी
console-audit-member = सदस्य
console-audit-since = से
console-audit-until = तक
console-audit-filter = छाँटें
console-audit-none = इस छँटाई में कुछ दर्ज नहीं है।
console-audit-when = कब
console-audit-who = स्टाफ़

## ऑडिट लॉग के काम (bot/web/pages/audit.py action_label)

console-audit-via-console = कंसोल से
console-audit-via-refused = मना किया गया
console-audit-link = साइन-इन लिंक बनाया
console-audit-signin = साइन इन किया
console-audit-signout = साइन आउट किया
console-audit-signout-all = हर जगह से साइन आउट किया
console-audit-reveal = असली नाम और नोट्स देखे
console-audit-export-case = केस रिव्यू डाउनलोड किया
console-audit-export-attendance = उपस्थिति डाउनलोड की
console-audit-ack = अलर्ट स्वीकार किया
console-audit-resolve = अलर्ट पूरा किया
console-audit-acknowledged = अलर्ट स्वीकार किया
console-audit-resolved = अलर्ट पूरा किया
console-audit-view-member = सदस्य का रुझान देखा
console-audit-view-queue = अलर्ट की सूची देखी
console-audit-view-held = रोके गए संदेश देखे
console-audit-view-circle-health = सर्कल का हाल देखा
console-audit-center-settings = केंद्र की सेटिंग बदली
console-audit-staff-add = स्टाफ़ सदस्य जोड़ा
console-audit-staff-backup-on = बैकअप बनाया
console-audit-staff-backup-off = बैकअप से हटाया
console-audit-staff-deactivate = स्टाफ़ सदस्य को निष्क्रिय किया
console-audit-member-reassign = सदस्य को दूसरा काउंसलर दिया
console-audit-circle-add = सर्कल जोड़ा
console-audit-circle-capacity = सर्कल की क्षमता बदली
console-audit-circle-move = सदस्य को दूसरे सर्कल में भेजा
console-audit-circle-remove = सदस्य को सर्कल से हटाया
console-audit-circle-mute = सर्कल में सदस्य को म्यूट किया
console-audit-circle-lift-review = सर्कल की समीक्षा हटाई
console-audit-invites-create = निमंत्रण बनाए
console-audit-invite-sheet = निमंत्रण शीट छापी
console-audit-sponsor-link = स्पॉन्सर जोड़ा
console-audit-sponsor-unlink = स्पॉन्सर हटाया
console-audit-sponsor-volunteer-add = स्वयंसेवक स्पॉन्सर जोड़ा
console-audit-export-data = सदस्य का डेटा निकाला
console-audit-forgotten = सदस्य का डेटा मिटाया

## कन्सोल: सर्कल आणि केंद्र सेटअपची पाने, आणि छापलेली निमंत्रण कार्डे.

## निमंत्रण कार्ड

console-invite-card-scan = फोनच्या कॅमेऱ्याने हा चौकोनी कोड स्कॅन करा: Telegram मध्ये साथी उघडेल.
console-invite-card-type = किंवा Telegram मध्ये @{ $bot } शोधा आणि पाठवा: /start { $code }
console-invite-card-once = हा कोड फक्त तुमच्यासाठी आहे आणि एकदाच चालतो. तो कोणालाही दाखवू नका.

## नेव्हिगेशन

console-nav-circles = सर्कल
console-nav-setup = केंद्र सेटअप
console-nav-invites = निमंत्रणे

## सर्कल

console-circles-title = सर्कल
console-circles-none = अजून एकही सर्कल नाही. ॲडमिन केंद्र सेटअपमध्ये सर्कल जोडू शकतात.
console-circles-already-reviewed = या संदेशाचा आढावा कोणीतरी आधीच घेतला आहे.
console-circle-closed = बंद
console-circle-facilitator = संचालक: { $name }
console-circle-members = सदस्य
console-circle-writers = मागील { $days } दिवसांत लिहिणारे
console-circle-per-day = दिवसाचे संदेश
console-circle-reports = मागील { $days } दिवसांतील तक्रारी
console-circle-held = आढाव्यासाठी थांबवलेले
console-circle-schedule = भेटीची वेळ
console-circle-no-schedule = ठरलेली वेळ नाही
console-schedule-daily = रोज { $time } वाजता, { $minutes } मिनिटे
console-schedule-weekly = दर { $day ->
    [mon] सोमवारी
    [tue] मंगळवारी
    [wed] बुधवारी
    [thu] गुरुवारी
    [fri] शुक्रवारी
    [sat] शनिवारी
   *[sun] रविवारी
} { $time } वाजता, { $minutes } मिनिटे
console-circle-next = पुढची बैठक आणि तिचे ध्येय
console-held-title = थांबवलेले संदेश
console-held-none = आढाव्यासाठी काहीही बाकी नाही.
console-held-reason-abuse = दुखावणाऱ्या शब्दांमुळे थांबवला
console-held-reason-review = वारंवार तक्रारींनंतर थांबवला
console-held-release = सर्कलमध्ये पाठवा
console-held-discard = थांबवून ठेवा

## केंद्र सेटअप

console-setup-title = केंद्र सेटअप
console-setup-refused = हे करता आले नाही:
console-setup-saved = जतन केले.
console-setup-staff = समुपदेशक आणि कर्मचारी
console-setup-name = नाव
console-setup-role = भूमिका
console-setup-role-counsellor = समुपदेशक
console-setup-role-admin = ॲडमिन
console-setup-role-facilitator = संचालक
console-setup-members = सदस्य
console-setup-backup = बॅकअप
console-setup-backup-on = बॅकअप करा
console-setup-backup-off = बॅकअपमधून काढा
console-setup-inactive = निष्क्रिय
console-setup-not-linked = अजून जोडलेले नाहीत
console-setup-unreachable = संपर्क होत नाही
console-setup-deactivate = निष्क्रिय करा
console-setup-staff-add = जोडा
console-setup-staff-added = { $name } यांना जोडले.
console-setup-staff-link = ही एकदाच चालणारी लिंक त्यांना खाजगीरित्या पाठवा; ती उघडल्यावर त्यांचे Telegram खाते जोडले जाईल:
console-setup-reassign = सदस्याला दुसरे समुपदेशक द्या
console-setup-pseudonym = टोपणनाव
console-setup-to-counsellor = समुपदेशक
console-setup-reassign-do = बदला
console-setup-circles = सर्कल
console-setup-capacity = क्षमता
console-setup-kind = प्रकार
console-setup-language = भाषा
console-setup-circle-add = सर्कल जोडा
console-setup-save = जतन करा
console-setup-sponsors = स्पॉन्सर
console-setup-sponsors-none = अजून एकही स्पॉन्सर नाही.
console-setup-sponsor-kind = कोण
console-setup-mentees = ज्यांचे स्पॉन्सर आहेत
console-setup-sponsor-volunteer = स्वयंसेवक
console-setup-sponsor-member = सदस्य
console-setup-sponsor-not-connected = अजून जोडलेले नाहीत
console-setup-mentee-asked = विचारले आहे, अजून होकार नाही
console-setup-mentees-none = अजून कोणी नाही
console-setup-sponsor-link = सदस्यासाठी स्पॉन्सर जोडा
console-setup-sponsor = स्पॉन्सरचे टोपणनाव
console-setup-mentee = सदस्याचे टोपणनाव
console-setup-sponsor-link-do = सदस्याला विचारा
console-setup-sponsor-asked = सदस्याला विचारले जाईल की त्यांना हा स्पॉन्सर चालेल का.
console-setup-sponsor-unlink = सदस्याची स्पॉन्सरशिप थांबवा
console-setup-sponsor-unlink-do = स्पॉन्सरशिप थांबवा
console-setup-sponsor-ended = स्पॉन्सरशिप थांबली; दोघांनाही कळवले आहे.
console-setup-volunteer-add = स्वयंसेवक स्पॉन्सर जोडा (जे सदस्य नाहीत)
console-setup-volunteer-add-do = स्वयंसेवक जोडा
console-setup-volunteer-added = स्वयंसेवकाला स्पॉन्सर { $pseudonym } म्हणून जोडले आहे.
console-setup-volunteer-code = हा एकदाच चालणारा कोड त्यांना खाजगीरित्या द्या; जोडले जाण्यासाठी ते तो Telegram मध्ये बॉटला पाठवतील:
console-setup-settings = हेल्पलाइन, अलर्ट आणि माहिती किती दिवस ठेवायची
console-setup-helpline = सदस्यांना दिसणारी हेल्पलाइन
console-setup-ack-urgent = तातडीच्या अलर्टला उत्तर देण्याची मिनिटे
console-setup-ack-concern = काळजीच्या अलर्टला उत्तर देण्याची मिनिटे
console-setup-own-members-only = समुपदेशकांना फक्त त्यांचेच सदस्य दिसावेत
console-setup-own-members-only-no = नाही, केंद्राचे सर्व सदस्य
console-setup-own-members-only-yes = होय, फक्त त्यांचेच
console-setup-retention-circle-days = सर्कलचे संदेश किती दिवस ठेवायचे
console-setup-retention-note-days = चेक-इन नोंदी किती दिवस ठेवायच्या
console-setup-retention-escalation-days = सुटलेले अलर्ट किती दिवस ठेवायचे
console-setup-retention-craving-days = क्रेव्हिंगच्या नोंदी किती दिवस ठेवायच्या
console-setup-retention-audit-days = ऑडिट लॉग किती दिवस ठेवायचा

## निमंत्रणे

console-invites-title = निमंत्रणे
console-invites-circle = सर्कल
console-invites-no-circle = सर्कल नाही (फक्त केंद्र)
console-invites-count = किती
console-invites-expires = किती दिवस चालतील
console-invites-language = कार्डांची भाषा
console-invites-create = निमंत्रणे तयार करा
console-invites-created = { $count } निमंत्रण कोड तयार झाले. ते छापा आणि प्रत्येक कार्ड एकाच व्यक्तीला द्या.
console-invites-pdf = शीट PDF मध्ये
console-invites-png = पान { $page } PNG मध्ये
console-invites-open = खुली निमंत्रणे: { $count }

## फॉर्म का स्वीकारला गेला नाही (bot/web/pages/setup.py refusal())

console-refused-no-staff = या केंद्रात असा कोणताही स्टाफ सदस्य नाही.
console-refused-no-staff-named = या केंद्रात { $name } नावाचा कोणताही स्टाफ सदस्य नाही.
console-refused-backup-counsellor = फक्त समुपदेशकच बॅकअप होऊ शकतात.
console-refused-already-deactivated = ही व्यक्ती आधीच निष्क्रिय आहे.
console-refused-deactivate-self = तुम्ही स्वतःला निष्क्रिय करू शकत नाही.
console-refused-last-admin = केंद्राच्या शेवटच्या ॲडमिनला निष्क्रिय करता येत नाही.
console-refused-no-counsellor-left = आधी दुसरा समुपदेशक जोडा: त्यांच्या सदस्यांना कोणाची तरी साथ हवी.
console-refused-inactive-counsellor = सदस्य फक्त सक्रिय समुपदेशकाकडे सोपवता येतात.
console-refused-no-member = या केंद्रात { $pseudonym } टोपणनावाचा कोणताही सदस्य नाही.
console-refused-pseudonym = "{ $text }" हे टोपणनाव नाही. कृपया Lotus 7 सारखे लिहा.
console-refused-no-sponsor = { $pseudonym } यांना सध्या कोणी स्पॉन्सर नाहीत.
console-refused-volunteer-name = कृपया स्वयंसेवकाचे नाव लिहा.
console-refused-no-circle = या केंद्रात असे कोणतेही सर्कल नाही.
console-refused-no-circle-named = या केंद्रात { $name } नावाचे कोणतेही सर्कल नाही.
console-refused-capacity = एका सर्कलमध्ये 2 ते { $max } सदस्य असू शकतात.
console-refused-capacity-below-members = या सर्कलमध्ये आधीच { $members } सदस्य आहेत: क्षमता यापेक्षा कमी करता येत नाही.
console-refused-circle-full = { $name } मध्ये आणखी { $free } जणांसाठी जागा आहे (क्षमता { $capacity }, सदस्य आणि खुली निमंत्रणे धरून).
console-refused-circle-kind = कृपया सर्कलचा एक प्रकार निवडा.
console-refused-circle-exists = { $name } नावाचे सर्कल आधीच आहे.
console-refused-schedule = मीटिंगची वेळ समजली नाही. उदाहरण: weekly sat 11:00 90
console-refused-ack-urgent = तातडीच्या अलर्टला प्रतिसाद देण्याची वेळ 1 ते 60 मिनिटांच्या दरम्यान असावी.
console-refused-ack-concern = काळजीच्या अलर्टला प्रतिसाद देण्याची वेळ 5 ते 1440 मिनिटांच्या दरम्यान असावी.
console-refused-retention = नोंदी { $low } ते { $high } दिवस ठेवता येतात.
console-refused-staff-name = कृपया व्यक्तीचे नाव लिहा.
console-refused-telegram-linked = हे Telegram खाते आधीच एका स्टाफ सदस्याशी जोडलेले आहे.
console-refused-invite-count = एका वेळी 1 ते 500 निमंत्रणे बनवता येतात.
console-refused-invite-days = निमंत्रण 1 ते 365 दिवस वैध राहू शकते.
console-refused-whole-numbers = कृपया निमंत्रणांची संख्या आणि दिवस पूर्ण अंकांत लिहा.

## WhatsApp निमंत्रण कार्ड आणि शीट (ज्या केंद्राचा WhatsApp नंबर आहे)
console-invite-card-scan-whatsapp = फोनच्या कॅमेऱ्याने हा चौकोनी कोड स्कॅन करा: WhatsApp मध्ये साथीशी गप्पा उघडतील, पहिला संदेश आधीच लिहिलेला असेल. फक्त पाठवा दाबा.
console-invite-card-type-whatsapp = किंवा WhatsApp वर { $number } ला हे पाठवा: START { $code }
console-invites-pdf-whatsapp = WhatsApp शीट PDF मध्ये
console-invites-png-whatsapp = WhatsApp पान { $page } PNG मध्ये

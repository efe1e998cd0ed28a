## कंसोल: सर्कल और केंद्र सेटअप के पेज, और छपे हुए निमंत्रण कार्ड।

## निमंत्रण कार्ड

console-invite-card-scan = फ़ोन के कैमरे से यह चौकोर कोड स्कैन करें: Telegram में साथी खुल जाएगा।
console-invite-card-type = या Telegram में @{ $bot } खोजें और भेजें: /start { $code }
console-invite-card-once = यह कोड सिर्फ़ आपके लिए है और एक ही बार चलता है। इसे किसी को न दिखाएँ।

## नेविगेशन

console-nav-circles = सर्कल
console-nav-setup = केंद्र सेटअप
console-nav-invites = निमंत्रण

## सर्कल

console-circles-title = सर्कल
console-circles-none = अभी कोई सर्कल नहीं है। एडमिन केंद्र सेटअप में सर्कल जोड़ सकते हैं।
console-circles-already-reviewed = इस संदेश की समीक्षा कोई पहले ही कर चुका है।
console-circle-closed = बंद
console-circle-facilitator = संचालक: { $name }
console-circle-members = सदस्य
console-circle-writers = पिछले { $days } दिनों में लिखने वाले
console-circle-per-day = रोज़ के संदेश
console-circle-reports = पिछले { $days } दिनों की शिकायतें
console-circle-held = समीक्षा के लिए रोके गए
console-circle-schedule = मिलने का समय
console-circle-no-schedule = तय समय नहीं
console-schedule-daily = रोज़ { $time } बजे, { $minutes } मिनट
console-schedule-weekly = हर { $day ->
    [mon] सोमवार
    [tue] मंगलवार
    [wed] बुधवार
    [thu] गुरुवार
    [fri] शुक्रवार
    [sat] शनिवार
   *[sun] रविवार
} { $time } बजे, { $minutes } मिनट
console-circle-next = अगली बैठक और उसका लक्ष्य
console-held-title = रोके गए संदेश
console-held-none = समीक्षा के लिए कुछ बाकी नहीं है।
console-held-reason-abuse = चुभने वाले शब्दों के कारण रोका गया
console-held-reason-review = बार-बार शिकायत के बाद रोका गया
console-held-release = सर्कल में भेजें
console-held-discard = रोक कर रखें

## केंद्र सेटअप

console-setup-title = केंद्र सेटअप
console-setup-refused = यह नहीं हो सका:
console-setup-saved = सहेज लिया गया।
console-setup-staff = काउंसलर और स्टाफ़
console-setup-name = नाम
console-setup-role = भूमिका
console-setup-role-counsellor = काउंसलर
console-setup-role-admin = एडमिन
console-setup-role-facilitator = संचालक
console-setup-members = सदस्य
console-setup-backup = बैकअप
console-setup-backup-on = बैकअप बनाएँ
console-setup-backup-off = बैकअप से हटाएँ
console-setup-inactive = निष्क्रिय
console-setup-not-linked = अभी जुड़े नहीं
console-setup-unreachable = संपर्क नहीं हो पा रहा
console-setup-deactivate = निष्क्रिय करें
console-setup-staff-add = जोड़ें
console-setup-staff-added = { $name } को जोड़ दिया गया।
console-setup-staff-link = यह एक बार चलने वाला लिंक उन्हें निजी तौर पर भेजें; इसे खोलने से उनका Telegram खाता जुड़ जाएगा:
console-setup-reassign = किसी सदस्य को दूसरा काउंसलर दें
console-setup-pseudonym = उपनाम
console-setup-to-counsellor = काउंसलर
console-setup-reassign-do = बदलें
console-setup-circles = सर्कल
console-setup-capacity = क्षमता
console-setup-kind = प्रकार
console-setup-language = भाषा
console-setup-circle-add = सर्कल जोड़ें
console-setup-save = सहेजें
console-setup-sponsors = स्पॉन्सर
console-setup-sponsors-none = अभी कोई स्पॉन्सर नहीं है।
console-setup-sponsor-kind = कौन
console-setup-mentees = जिनके स्पॉन्सर हैं
console-setup-sponsor-volunteer = स्वयंसेवक
console-setup-sponsor-member = सदस्य
console-setup-sponsor-not-connected = अभी जुड़े नहीं
console-setup-mentee-asked = पूछा गया, अभी राज़ी नहीं
console-setup-mentees-none = अभी कोई नहीं
console-setup-sponsor-link = किसी सदस्य के लिए स्पॉन्सर जोड़ें
console-setup-sponsor = स्पॉन्सर का उपनाम
console-setup-mentee = सदस्य का उपनाम
console-setup-sponsor-link-do = सदस्य से पूछें
console-setup-sponsor-asked = सदस्य से पूछा जाएगा कि क्या वे इस स्पॉन्सर के लिए राज़ी हैं।
console-setup-sponsor-unlink = किसी सदस्य की स्पॉन्सरशिप ख़त्म करें
console-setup-sponsor-unlink-do = स्पॉन्सरशिप ख़त्म करें
console-setup-sponsor-ended = स्पॉन्सरशिप ख़त्म हो गई; दोनों को बता दिया गया है।
console-setup-volunteer-add = स्वयंसेवक स्पॉन्सर जोड़ें (जो सदस्य नहीं हैं)
console-setup-volunteer-add-do = स्वयंसेवक जोड़ें
console-setup-volunteer-added = स्वयंसेवक को स्पॉन्सर { $pseudonym } के रूप में जोड़ दिया गया।
console-setup-volunteer-code = यह एक बार चलने वाला कोड उन्हें निजी तौर पर दें; जुड़ने के लिए वे इसे Telegram में बॉट को भेजें:
console-setup-settings = हेल्पलाइन, अलर्ट और डेटा कितने दिन रखें
console-setup-helpline = सदस्यों को दिखने वाली हेल्पलाइन
console-setup-ack-urgent = ज़रूरी अलर्ट का जवाब देने के मिनट
console-setup-ack-concern = चिंता वाले अलर्ट का जवाब देने के मिनट
console-setup-own-members-only = काउंसलर केवल अपने सदस्य देखें
console-setup-own-members-only-no = नहीं, केंद्र के सभी सदस्य
console-setup-own-members-only-yes = हाँ, केवल अपने
console-setup-retention-circle-days = सर्कल के संदेश कितने दिन रखें
console-setup-retention-note-days = चेक-इन नोट कितने दिन रखें
console-setup-retention-escalation-days = सुलझे हुए अलर्ट कितने दिन रखें
console-setup-retention-craving-days = क्रेविंग का रिकॉर्ड कितने दिन रखें
console-setup-retention-audit-days = ऑडिट लॉग कितने दिन रखें

## निमंत्रण

console-invites-title = निमंत्रण
console-invites-circle = सर्कल
console-invites-no-circle = कोई सर्कल नहीं (सिर्फ़ केंद्र)
console-invites-count = कितने
console-invites-expires = कितने दिन चलें
console-invites-language = कार्ड की भाषा
console-invites-create = निमंत्रण बनाएँ
console-invites-created = { $count } निमंत्रण कोड बने। इन्हें छापें और हर कार्ड एक ही व्यक्ति को दें।
console-invites-pdf = शीट PDF में
console-invites-png = पेज { $page } PNG में
console-invites-open = खुले निमंत्रण: { $count }

## फ़ॉर्म क्यों नहीं माना गया (bot/web/pages/setup.py refusal())

console-refused-no-staff = इस केंद्र में ऐसा कोई स्टाफ़ सदस्य नहीं है।
console-refused-no-staff-named = इस केंद्र में { $name } नाम का कोई स्टाफ़ सदस्य नहीं है।
console-refused-backup-counsellor = बैकअप सिर्फ़ काउंसलर ही बन सकते हैं।
console-refused-already-deactivated = यह व्यक्ति पहले से निष्क्रिय है।
console-refused-deactivate-self = आप ख़ुद को निष्क्रिय नहीं कर सकते।
console-refused-last-admin = केंद्र के आख़िरी एडमिन को निष्क्रिय नहीं किया जा सकता।
console-refused-no-counsellor-left = पहले कोई और काउंसलर जोड़ें: उनके सदस्यों को किसी का साथ चाहिए।
console-refused-inactive-counsellor = सदस्य सिर्फ़ किसी सक्रिय काउंसलर को सौंपे जा सकते हैं।
console-refused-no-member = इस केंद्र में { $pseudonym } उपनाम का कोई सदस्य नहीं है।
console-refused-pseudonym = "{ $text }" उपनाम नहीं है। कृपया Lotus 7 की तरह लिखें।
console-refused-no-sponsor = { $pseudonym } का अभी कोई स्पॉन्सर नहीं है।
console-refused-volunteer-name = कृपया स्वयंसेवक का नाम लिखें।
console-refused-no-circle = इस केंद्र में ऐसा कोई सर्कल नहीं है।
console-refused-no-circle-named = इस केंद्र में { $name } नाम का कोई सर्कल नहीं है।
console-refused-capacity = एक सर्कल में 2 से { $max } सदस्य हो सकते हैं।
console-refused-capacity-below-members = इस सर्कल में पहले से { $members } सदस्य हैं: क्षमता इससे कम नहीं हो सकती।
console-refused-circle-full = { $name } में अब { $free } और की जगह है (क्षमता { $capacity }, सदस्यों और खुले निमंत्रणों को मिलाकर)।
console-refused-circle-kind = कृपया सर्कल का कोई एक प्रकार चुनें।
console-refused-circle-exists = { $name } नाम का सर्कल पहले से है।
console-refused-schedule = मीटिंग का समय समझ नहीं आया। उदाहरण: weekly sat 11:00 90
console-refused-ack-urgent = ज़रूरी अलर्ट का जवाब देने का समय 1 से 60 मिनट के बीच होना चाहिए।
console-refused-ack-concern = चिंता वाले अलर्ट का जवाब देने का समय 5 से 1440 मिनट के बीच होना चाहिए।
console-refused-retention = रिकॉर्ड { $low } से { $high } दिन तक रखे जा सकते हैं।
console-refused-staff-name = कृपया व्यक्ति का नाम लिखें।
console-refused-telegram-linked = यह Telegram खाता पहले से किसी स्टाफ़ सदस्य से जुड़ा है।
console-refused-invite-count = एक बार में 1 से 500 निमंत्रण बनाए जा सकते हैं।
console-refused-invite-days = निमंत्रण 1 से 365 दिन तक मान्य रह सकता है।
console-refused-whole-numbers = कृपया निमंत्रणों की संख्या और दिन पूरे अंकों में लिखें।

## WhatsApp निमंत्रण कार्ड और शीट (जिस केंद्र का WhatsApp नंबर है)
console-invite-card-scan-whatsapp = फ़ोन के कैमरे से यह चौकोर कोड स्कैन करें: WhatsApp में साथी से बातचीत खुल जाएगी, पहला संदेश पहले से लिखा होगा। बस भेजें दबाएँ।
console-invite-card-type-whatsapp = या WhatsApp पर { $number } को यह भेजें: START { $code }
console-invites-pdf-whatsapp = WhatsApp शीट PDF में
console-invites-png-whatsapp = WhatsApp पेज { $page } PNG में

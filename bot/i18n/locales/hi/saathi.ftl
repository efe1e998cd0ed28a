## Saathi — Hindi catalog (हिन्दी). Voice: warm, short, simple everyday words, non-judgmental, person-first. "आप" throughout.
## Every id here must exist in en and mr too (a test checks).

helplines-default = Tele-MANAS 14416 या 1-800-891-4416 (24×7, निःशुल्क), राष्ट्रीय नशा मुक्ति हेल्पलाइन 14446, आपातकाल 112

## Language names are written in their own script in every catalog.
lang-name-en = English
lang-name-hi = हिन्दी
lang-name-mr = मराठी

## Onboarding
start-no-code =
    नमस्ते 🌿 मैं साथी हूँ — आपके केंद्र की ओर से, आपका साथ देने के लिए।
    जुड़ने के लिए, अपने केंद्र से मिला इनवाइट लिंक खोलें, या /start के बाद अपना इनवाइट कोड भेजें।
start-bad-code = यह इनवाइट कोड नहीं मिला। कृपया अपने केंद्र से एक बार पूछ लें — वे आपको नया कोड दे सकते हैं।
start-used-code = यह इनवाइट कोड पहले ही इस्तेमाल हो चुका है। अगर यह आपका ही था, तो बस /start भेजें। नहीं तो आपका केंद्र आपको नया कोड दे सकता है।
start-expired-code = इस इनवाइट कोड का समय खत्म हो गया है। आपका केंद्र आपको नया कोड दे सकता है।
start-welcome-back = फिर से स्वागत है, { $pseudonym } 🌿 आप पहले से हमारे साथ हैं। मेन्यू नीचे है।
start-resume = चलिए, वहीं से आगे बढ़ते हैं जहाँ रुके थे 🌿
onboard-choose-language = Namaste 🌿 Which language would you like? / आप कौन-सी भाषा चाहेंगे? / तुम्हाला कोणती भाषा हवी?
onboard-explain =
    मैं साथी हूँ 🌿 मैं दिन में एक बार आपका हालचाल पूछूँगा, तलब लगने पर मदद करूँगा, और आपको अपने केंद्र से जोड़े रखूँगा।

    कौन क्या देख सकता है:
    • आपके काउंसलर आपका नाम और आपके चेक-इन देखते हैं, ताकि वे आपकी मदद कर सकें।
    • आपका साथी समूह सिर्फ़ आपका दूसरा नाम (उपनाम) और वही देखता है जो आप खुद बताना चाहें — आपका असली नाम या नंबर कभी नहीं।
    • स्पॉन्सर (अगर आपका कोई है) सिर्फ़ यह देखता है कि आपने चेक-इन किया या नहीं, यह नहीं कि आपने क्या कहा — जब तक आप खुद कोई चेक-इन साझा न करें या उन्हें कुछ न लिखें।
    • अगर आपकी लिखी किसी बात से लगे कि आप खतरे में हैं, तो आपके काउंसलर को तुरंत बताया जाता है। जब आप बताएँ कि आपने नशा किया है या तलब बहुत तेज़ है, तब भी उन्हें बताया जाता है, ताकि वे आपका साथ दे सकें।

    आप कभी भी रोक सकते हैं। क्या आप इसके लिए सहमत हैं?
btn-consent-yes = मैं सहमत हूँ
btn-consent-no = अभी नहीं
onboard-consent-declined = बिल्कुल ठीक है। जब भी आपको लगे कि आप तैयार हैं, बस फिर से /start भेज दें 🌿
onboard-ask-time = मैं रोज़ किस समय आपका हालचाल पूछूँ? कोई एक चुनें, या 21:30 जैसा समय लिखें।
btn-time-morning = सुबह 8:00
btn-time-afternoon = दोपहर 14:00
btn-time-evening = शाम 20:00
onboard-time-invalid = यह समय समझ नहीं आया। कृपया कोई बटन दबाएँ, या 21:30 जैसे लिखें।
onboard-ask-sobriety = अगर आप चाहें, तो बताएँ कि आपने किस तारीख को नशा छोड़ा (जैसे 01/10/2026)। इससे मैं आपके खास दिनों की खुशी आपके साथ मना पाऊँगा। चाहें तो ‘आगे बढ़ें’ भी दबा सकते हैं।
onboard-sobriety-invalid = यह तारीख समझ नहीं आई। कृपया 01/10/2026 जैसे लिखें, या ‘आगे बढ़ें’ दबाएँ।
onboard-sobriety-future = यह तारीख तो अभी आगे की है। कृपया वह दिन लिखें जब आपने नशा छोड़ा, या ‘आगे बढ़ें’ दबाएँ।
btn-skip = आगे बढ़ें
onboard-done =
    सब तैयार है 🌿 आपके समूह में आपको { $pseudonym } नाम से जाना जाएगा — आपका असली नाम सिर्फ़ आपके काउंसलर को पता है।
    मैं हर दिन { $time } बजे आपका हालचाल पूछूँगा। जब भी तलब लगे, 🆘 दबाएँ या /craving भेजें।
onboard-finish-first = चलिए, पहले सेटअप पूरा कर लेते हैं 🌿

## Main menu (a keyboard under the message box)
menu-craving = 🆘 तलब में मदद
menu-settings = ⚙️ सेटिंग्स
menu-help = ❓ मदद
menu-prompt = आप क्या करना चाहेंगे?
help-text =
    मैं इन कामों में आपका साथ दे सकता हूँ 🌿
    • हर दिन { $time } बजे मैं पूछूँगा कि आप कैसे हैं — बस एक मिनट लगता है।
    • /craving — तलब लगे तो तुरंत मदद।
    • /talk — अपने स्पॉन्सर या काउंसलर से बात करने के लिए कहें।
    • बाकी जो भी आप लिखेंगे, वह आपके उपनाम से आपके साथी समूह में जाएगा; /unsend आपका पिछला मैसेज वापस ले लेता है, और /report (जवाब के रूप में) किसी मैसेज के बारे में फ़ैसिलिटेटर को बताता है।
    • /settings — भाषा, चेक-इन का समय, चेक-इन रोकना, मुश्किल समय।
    • /mydata — साथी के पास आपके बारे में जो कुछ भी है, उसकी फ़ाइल; /forget — उसे मिटा दें।
    • /help — यही मैसेज।
    आपके काउंसलर भी आपके साथ हैं। इमरजेंसी में: { $helplines }

## Settings
settings-menu = सेटिंग्स — आप क्या बदलना चाहेंगे?
btn-settings-language = भाषा
btn-settings-time = चेक-इन का समय
btn-settings-pause = चेक-इन रोकें
btn-settings-resume = चेक-इन फिर शुरू करें
btn-settings-highrisk = मुश्किल समय
btn-settings-sobriety = नशा छोड़ने की तारीख
settings-language-changed = हो गया — अब से मैं हिन्दी में बात करूँगा।
settings-time-changed = हो गया — अब से मैं { $time } बजे चेक-इन करूँगा।
settings-pause-ask = चेक-इन कितने दिनों के लिए रोकूँ?
btn-pause-days = { $days ->
    [one] 1 दिन
   *[other] { $days } दिन
}
settings-paused = चेक-इन { $date } तक रुके हुए हैं। मैं फिर भी यहीं हूँ — /craving कभी भी काम करता है 🌿
settings-resumed = फिर से स्वागत है 🌿 चेक-इन दोबारा शुरू हो गए हैं, अगला { $time } बजे।
settings-not-paused = चेक-इन पहले से चालू हैं।
settings-highrisk-ask = आम तौर पर किस समय तलब सबसे ज़्यादा परेशान करती है? उस समय मैं आपका थोड़ा हालचाल पूछ लूँगा। जो भी सही लगें, वे सब दबाएँ, फिर ‘हो गया’ दबाएँ।
highrisk-evenings = शाम
highrisk-nights = रात
highrisk-weekends = शनिवार-रविवार
settings-highrisk-saved = सेव हो गया 🌿 उस समय मैं आपका हालचाल पूछ लूँगा।
settings-highrisk-cleared = ठीक है — अब तलब के लिए अलग से हालचाल नहीं पूछूँगा।
settings-sobriety-saved = सेव हो गया 🌿 आपके नशा छोड़ने की तारीख { $date } है।

## Daily check-in
checkin-ask-mood =
    नमस्ते { $pseudonym } 🌿 आज के चेक-इन का समय है।
    अभी आपका मन कैसा है? (1 = बहुत उदास, 5 = बहुत अच्छा)
checkin-ask-craving = आज तलब कितनी तेज़ है? 0 = बिल्कुल नहीं, 10 = बहुत तेज़।
checkin-ask-triggers = क्या इनमें से किसी बात ने आज का दिन मुश्किल बनाया? जो भी सही लगें, वे सब दबाएँ, फिर ‘हो गया’ दबाएँ।
checkin-ask-use = पिछले चेक-इन के बाद क्या आपने नशा किया? जवाब जो भी हो, आपका यहाँ स्वागत है।
checkin-ask-note = कुछ और लिखना चाहेंगे? दो-चार शब्द लिखें, या ‘आगे बढ़ें’ दबाएँ।
checkin-answered = { $question }
    ✓ { $answer }
btn-done = हो गया ✓
btn-none-today = आज कुछ नहीं
btn-use-no = नहीं
btn-use-yes = हाँ
btn-use-undisclosed = नहीं बताना
checkin-thanks = चेक-इन के लिए शुक्रिया 🌿
checkin-lapse = सच बताने के लिए शुक्रिया — इसके लिए हिम्मत चाहिए। नशा छोड़ने के सफ़र में बहुत लोगों के साथ ऐसा होता है, और इससे आपकी अब तक की मेहनत मिट नहीं जाती। आपके काउंसलर आपके साथ हैं, और मैं भी।
checkin-coping = आज शायद यह काम आए — { $title }: { $body }
checkin-streak = { $days ->
    [one] आपने लगातार 1 दिन चेक-इन किया।
   *[other] आपने लगातार { $days } दिन चेक-इन किया।
}
checkin-milestone = 🎉 नशे से दूर { $days ->
    [one] एक दिन
   *[other] { $days } दिन
}! यह सच में गर्व की बात है — बस एक-एक दिन करके।
checkin-sober-count = 🌱 अब तक नशे से दूर { $days ->
    [one] एक दिन
   *[other] { $days } दिन
}। इनमें से हर दिन मायने रखता है।
checkin-reminder = बस एक छोटी-सी याद 🌿 आज का चेक-इन अभी खुला है, जब मन हो तब कर लें।
checkin-stale = वह चेक-इन अब बंद हो गया है। अगला चेक-इन रोज़ वाले समय पर आएगा 🌿
checkin-invalid-mood = कृपया 1 से 5 तक कोई नंबर चुनें।
checkin-invalid-craving = कृपया 0 से 10 तक कोई नंबर चुनें।
checkin-invalid-triggers = कृपया जो सही लगें वे दबाएँ, या ‘हो गया’ दबाएँ।
checkin-invalid-use = कृपया ‘नहीं’, ‘हाँ’ या ‘नहीं बताना’ दबाएँ।
checkin-invalid-note = यह नोट थोड़ा लंबा है — कृपया 1000 अक्षरों से कम में लिखें।
checkin-stale-answer = इस सवाल का जवाब पहले ही दिया जा चुका है 🌿

## Triggers
trigger-stress = तनाव
trigger-people = लोग
trigger-places = जगहें
trigger-boredom = बोरियत
trigger-loneliness = अकेलापन
trigger-anger = गुस्सा
trigger-celebration = पार्टी या जश्न
trigger-pain = दर्द या नशा छोड़ने की तकलीफ़
trigger-money = पैसे
trigger-family = घर में झगड़ा
trigger-other = कुछ और

## Cravings
craving-prompt = एक छोटा-सा हालचाल 🌿 अभी तलब कितनी तेज़ है? 0 = बिल्कुल नहीं, 10 = बहुत तेज़।
craving-toolkit =
    तलब लहर की तरह उठती है और फिर उतर जाती है — यह भी गुज़र जाएगी। अभी इनमें से कुछ करके देखें:
craving-strategy = • { $title }: { $body }
craving-breathing = मेरे साथ साँस लें: 4 गिनने तक साँस अंदर … 4 तक रोकें … 4 तक बाहर … 4 तक रुकें। ऐसा चार बार करें।
craving-ask-strength = यह कितनी तेज़ है, 0 से 10 तक? इसे नापने से मदद मिलती है।
craving-guest-helplines = अगर यह बहुत भारी लग रहा है, तो कृपया अभी किसी से बात करें: { $helplines }
craving-logged = लिख लिया: तलब { $strength }/10। इसे पहचानना भी एक कदम है 🌿
craving-logged-low = लिख लिया: तलब { $strength }/10। खुद से अपना हालचाल पूछना अच्छी बात है 🌿
btn-reach-out = कोई मुझसे बात करे
craving-reach-out-sent = मैंने आपके काउंसलर से कहा है कि वे आपसे बात करें 🌿 तब तक ऊपर वाला साँस का तरीका करके देखें। इमरजेंसी में: { $helplines }
craving-reach-out-none = आपके काउंसलर अभी मुझसे जुड़े नहीं हैं। कृपया अपने केंद्र को फ़ोन करें, या: { $helplines }
staff-reach-out-request = { $pseudonym } ({ $name }) को { $strength ->
    [none] तलब लगी थी
   *[other] { $strength }/10 की तलब लगी थी
} — वे चाहते हैं कि कोई उनसे संपर्क करे।

## Staff
staff-linked = स्वागत है, { $name }। यह अकाउंट अब { $center } में { $role } के रूप में जुड़ गया है। आपके सदस्यों से जुड़ी सूचनाएँ यहीं आएँगी।
staff-link-invalid = यह स्टाफ़ लिंक सही नहीं है या पहले ही इस्तेमाल हो चुका है। कृपया अपने केंद्र के एडमिन से नया लिंक माँगें।
staff-already-linked = आप पहले से { $center } में स्टाफ़ के रूप में जुड़े हुए हैं।
staff-not-member = यह चैट स्टाफ़ की सूचनाओं के लिए है। सदस्यों वाली सुविधाएँ यहाँ नहीं मिलेंगी।

## Fallback and errors
fallback-text = मैं यहीं हूँ 🌿 तलब लगे तो 🆘 दबाएँ या /craving भेजें। कुछ बदलना हो तो /settings, और ज़्यादा जानकारी के लिए /help।
fallback-unsupported = अभी मैं सिर्फ़ लिखे हुए मैसेज पढ़ सकता हूँ। आप जो कहना चाहते हैं, कृपया लिखकर भेजें 🌿
fallback-too-long = यह मैसेज मेरे पढ़ने के लिए बहुत लंबा है। कृपया इसे छोटे-छोटे हिस्सों में भेजें।
fallback-unknown-command = यह कमांड मुझे नहीं पता। मैं क्या कर सकता हूँ, यह /help में देखें।
button-expired = यह बटन अब काम नहीं करता।
error-generic = माफ़ कीजिए — मेरी तरफ़ से कुछ गड़बड़ हो गई। कृपया थोड़ी देर बाद फिर कोशिश करें।
input-unstorable = मैं यह संदेश नहीं ले सका: इसमें एक छिपा हुआ अक्षर है जिसे मैं रख नहीं सकता। क्या आप इसे फिर से टाइप करेंगे? 🌿
private-only = सबकी बातें निजी रहें, इसलिए मैं सिर्फ़ निजी चैट में काम करता हूँ। कृपया मुझे सीधे मैसेज करें।

## The command menu in Telegram
cmd-craving = तलब हो तो अभी मदद
cmd-settings = भाषा, समय, विराम
cmd-help = साथी क्या कर सकता है

## Safety replies to the member (safe-messaging practice: no methods, no places, never blame)
safety-urgent =
    मुझे बताने के लिए शुक्रिया — मुझे सच में अच्छा लगा कि आपने बात की। आप इसमें अकेले नहीं हैं।
    मैंने अभी आपके काउंसलर को बता दिया है, और आपके केंद्र से कोई जल्द ही आपसे संपर्क करेगा।
    अगर आपको लगे कि आप अभी इन विचारों पर अमल कर सकते हैं, तो कृपया 112 पर फ़ोन करें, या किसी से भी मुफ़्त और गोपनीय बात करें, कभी भी: { $helplines }
    हो सके तो, जब तक हम आपसे संपर्क न करें, किसी ऐसे इंसान के पास रहें जिस पर आपको भरोसा है।
safety-concern = मुझे बताने के लिए शुक्रिया। यह सच में मुश्किल लगता है, और आपको यह बोझ अकेले नहीं उठाना है — मैंने आपके काउंसलर को बता दिया है, ताकि वे आपसे बात कर सकें। तब तक, अभी शायद यह काम आए:
safety-concern-lapse = सच बताने के लिए शुक्रिया — इसके लिए हिम्मत चाहिए। नशा छोड़ने के सफ़र में बहुत लोगों के साथ ऐसा होता है; इससे आपकी अब तक की मेहनत मिट नहीं जाती। मैंने आपके काउंसलर को बता दिया है, ताकि वे आपका साथ दे सकें। अगले कुछ घंटों के लिए:
btn-call-me = कृपया मुझे फ़ोन करें
safety-call-requested = मैंने आपके काउंसलर से आपको फ़ोन करने के लिए कहा है 🌿 अगर आप इंतज़ार नहीं कर सकते: { $helplines }
safety-call-already-requested = मुझे आपका अनुरोध मिल गया है 🌿 { $minutes } मिनट पहले आपके काउंसलर से आपको फ़ोन करने के लिए कहा गया है, और उन्हें पता है कि यह ज़रूरी है। अगर { $ack } मिनट में वे जवाब नहीं देते, तो मैं आपके केंद्र के दूसरे काउंसलर से भी कहूँगा। अगर आप इंतज़ार नहीं कर सकते: { $helplines }
safety-call-received = मिल गया — आपके काउंसलर को पता है कि आपने फ़ोन के लिए कहा है 🌿

## Follow-up questions after something that worried me (modelled on the C-SSRS screener)
fu-intro = मुझे यह बताने के लिए शुक्रिया। क्या मैं हाँ-या-नहीं वाले कुछ छोटे सवाल पूछ सकता हूँ, ताकि आपका केंद्र आपका और अच्छे से साथ दे सके? आपका कोई भी जवाब ठीक है।
fu-q-wish_dead = पिछले एक महीने में, क्या आपने कभी चाहा कि आप मर जाएँ, या चाहा कि आप सो जाएँ और फिर कभी न उठें?
fu-q-thoughts_kill = पिछले एक महीने में, क्या आपके मन में कभी खुद को मारने या अपनी जान लेने के विचार आए हैं?
fu-q-method = क्या आप यह सोचते रहे हैं कि आप यह कैसे कर सकते हैं?
fu-q-intent = क्या आपके मन में ये विचार आए हैं, और साथ में इन पर अमल करने का कुछ इरादा भी रहा है?
fu-q-plan = क्या आपने यह तय करना शुरू किया है, या पूरी तरह तय कर लिया है, कि आप खुद को कैसे मारेंगे? क्या आपका इस योजना पर अमल करने का इरादा है?
fu-q-preparation = पिछले तीन महीनों में, क्या आपने अपनी ज़िंदगी खत्म करने के लिए कुछ किया है, कुछ करना शुरू किया है, या कुछ करने की तैयारी की है?
fu-done = इतने खुलकर जवाब देने के लिए शुक्रिया 🌿 जब भी आप बात करना चाहें, मैं यहीं हूँ, और आपके काउंसलर भी। अगर मन बहुत भारी लगे: { $helplines }

## Alerts and commands for counsellors
esc-level-urgent = 🚨 अति आवश्यक
esc-level-concern = ⚠️ चिंता
esc-alert =
    { $level } · #{ $id } · { $pseudonym } ({ $name })
    कारण: { $reasons }
    भाषा: { $language }
    उन्होंने लिखा: “{ $excerpt }”
    पिछले 7 दिन:
    { $history }
    स्पॉन्सर: { $sponsor }
    { $escalated }
esc-step-note = अभी तक किसी ने इसे स्वीकार नहीं किया है — ऑन-कॉल अगले व्यक्ति के रूप में यह आपको भेजा जा रहा है।
esc-no-sponsor = कोई नहीं
esc-history-none = अभी तक कोई चेक-इन नहीं
esc-history-line = { $day }: मन { $mood }, तलब { $craving }, नशा किया { $used }
esc-history-missed = { $day }: चेक-इन नहीं
btn-esc-ack = स्वीकार करें
btn-esc-resolve = हल हो गया…
btn-esc-history = इतिहास देखें
esc-acked = #{ $id } को { $name } ने स्वीकार किया। शुक्रिया — सदस्य को बता दिया गया है कि कोई इसे देख रहा है।
esc-resolved = #{ $id } हल हो गया; आपका नोट सेव हो गया है।
esc-resolve-how = #{ $id } को हल करने के लिए भेजें: /resolve { $id } और उसके बाद एक छोटा नोट कि क्या किया गया।
esc-not-found = आपके केंद्र में #{ $id } नंबर का कोई अलर्ट नहीं है।
esc-already = #{ $id } पहले से ही { $state } है।
esc-state-open = खुला
esc-state-acknowledged = स्वीकार किया जा चुका
esc-state-resolved = हल हो चुका
esc-call-request = 📞 { $pseudonym } ({ $name }) अभी फ़ोन पर बात करना चाहते हैं (#{ $id })।
queue-empty = कोई खुला अलर्ट नहीं 🌿
queue-title = खुले अलर्ट: { $count }
queue-line = #{ $id } { $level } · { $pseudonym } · { $minutes } मिनट पहले · { $state }
member-not-found = आपके केंद्र में इस उपनाम का कोई सदस्य नहीं है। ऐसे लिखें: /member Lotus 27
member-summary =
    { $pseudonym } ({ $name }) · { $status } · { $language } · चेक-इन { $time } बजे
    खुला अलर्ट: { $escalation }
    पिछले 14 दिन:
    { $history }
staff-only = यह उपलब्ध नहीं है।

## Member status words for counsellors
member-status-onboarding = जुड़ रहे हैं
member-status-active = सक्रिय
member-status-paused = विराम पर
member-status-unreachable = संपर्क नहीं (बॉट ब्लॉक किया)
member-status-left = छोड़ दिया

## When a counsellor acknowledges an alert
safety-acknowledged = आपके काउंसलर ने आपका संदेश देख लिया है और जल्द ही आपसे संपर्क करेंगे 🌿 आप अकेले नहीं हैं।

## Dropout-risk and other watch-level notices
esc-level-watch = 👀 ध्यान दें

## When the consent text changes
consent-changed = साथी के काम करने का तरीका थोड़ा बदला है, इसलिए अगले चेक-इन से पहले मैं आपसे दोबारा पूछना चाहता हूँ। अब इसका मतलब यह है:
consent-thanks = शुक्रिया 🌿 आपका रोज़ का चेक-इन { $time } बजे जारी रहेगा।
consent-declined-paused = कोई बात नहीं। मैंने आपके चेक-इन रोक दिए हैं और सब कुछ जैसा था वैसा रखा है। जब भी आप तैयार हों, /settings से फिर शुरू कर सकते हैं। इमरजेंसी में 112 पर कॉल करें।

## Roles: a command that is not for this person, and a staff link on an account that already has a role
not-available = माफ़ कीजिए, यह आपके लिए उपलब्ध नहीं है। आप यहाँ क्या कर सकते हैं, यह /help में देखें 🌿
staff-link-taken = यह टेलीग्राम अकाउंट पहले से Saathi से किसी और तरह जुड़ा है, इसलिए यह स्टाफ़ अकाउंट नहीं बन सकता। कृपया अपने केंद्र के एडमिन से बात करें।

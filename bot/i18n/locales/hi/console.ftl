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

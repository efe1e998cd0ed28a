## कंसोल: सर्कल और केंद्र सेटअप के पेज, और छपे हुए निमंत्रण कार्ड।

## निमंत्रण कार्ड

console-invite-card-scan = फ़ोन के कैमरे से यह चौकोर कोड स्कैन करें: Telegram में साथी खुल जाएगा।
console-invite-card-type = या Telegram में @{ $bot } खोजें और भेजें: /start { $code }
console-invite-card-once = यह कोड सिर्फ़ आपके लिए है और एक ही बार चलता है। इसे किसी को न दिखाएँ।

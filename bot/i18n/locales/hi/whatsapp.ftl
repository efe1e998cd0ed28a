## WhatsApp: the words the WhatsApp rendering adds, and the templates sent outside the 24-hour window.
## Template bodies never say what the centre treats: a family member may see the phone.

wa-list-button = चुनें
wa-menu-button = मेन्यू
wa-reply-number = अपनी पसंद का नंबर लिखकर भेजें।

wa-tpl-checkin-body = नमस्ते { $name }, आपके रोज़ के चेक-इन का समय हो गया है। जब तैयार हों, नीचे टैप करें।
wa-tpl-checkin-button = अभी चेक-इन करें
wa-tpl-reminder-body = नमस्ते { $name }, साथी की ओर से एक छोटी-सी याद। जब एक मिनट मिले, नीचे टैप करें।
wa-tpl-reminder-button = साथी खोलें
wa-tpl-sponsor-body = नमस्ते { $name }, साथी पर आपके लिए एक नया संदेश है। पढ़ने के लिए नीचे टैप करें।
wa-tpl-sponsor-button = पढ़ें
wa-tpl-staff-body = नमस्ते { $name }, आपके केंद्र में कोई आपकी राह देख रहा है। अभी देखने के लिए नीचे टैप करें।
wa-tpl-staff-button = दिखाएँ

## वेब कन्सोल (bot/web): साइन-इन, नेव्हिगेशन, अलर्ट, ऑडिट. सर्व id console- ने सुरू होतात.

console-link =
    साथी कन्सोलसाठी तुमची साइन-इन लिंक (एकदाच, { $minutes } मिनिटे चालेल):
    { $link }
    ही लिंक कोणालाही देऊ नका: ती तुमच्या नावाने कन्सोल उघडते.
console-title = कन्सोल
console-nav-alerts = अलर्ट
console-nav-audit = ऑडिट
console-signout = साइन आउट
console-signout-everywhere = सर्व डिव्हाइसवरून साइन आउट करा
console-back = कन्सोलवर परत
console-signin-title = साइन इन
console-signin-how = टेलिग्राममध्ये साथी बॉटला /console पाठवा: तो तुम्हाला एक साइन-इन लिंक पाठवेल, जी एकदाच, 10 मिनिटे चालते.
console-signin-failed = या साइन-इन लिंकची वेळ संपली आहे किंवा ती आधीच वापरली गेली आहे. नवीन लिंकसाठी बॉटला /console पाठवा.
console-error-forbidden = हे पान तुमच्यासाठी उपलब्ध नाही.
console-error-not-found = सापडले नाही.
console-error-too-many = खूप प्रयत्न झाले. कृपया एक मिनिट थांबून पुन्हा प्रयत्न करा.
console-error-other = काहीतरी चुकले. कृपया पुन्हा प्रयत्न करा.
console-alerts-title = अलर्ट
console-alerts-none = कोणताही उघडा अलर्ट नाही. ज्यांनी मदत मागितली, त्या सर्वांना उत्तर मिळाले आहे.
console-alert-urgent = तातडीचे
console-alert-concern = काळजी
console-alert-since = { $minutes } मिनिटांपूर्वी
console-alert-open = कोणाच्या तरी उत्तराची वाट
console-alert-acknowledged = पाहिले गेले
console-alert-step-0 = सूचना: त्यांच्या समुपदेशकाला
console-alert-step-1 = सूचना: बॅकअप समुपदेशकांना
console-alert-step-2 = सूचना: सर्व समुपदेशकांना
console-alert-ack = मी पाहतो/पाहते
console-alert-note = काय केले
console-alert-resolve = पूर्ण करा
console-alert-outcome-done = झाले. सदस्याला सांगितले आहे की कोणीतरी त्यांच्यासोबत आहे.
console-alert-outcome-already = हा अलर्ट आधीच कोणीतरी पाहिला आहे.
console-alert-outcome-note-needed = पूर्ण करण्याआधी कृपया काय केले याची छोटी नोंद लिहा.
console-watch-title = चुकलेले चेक-इन
console-watch-missed = { $days } दिवस चेक-इन नाही
console-watch-dropout = { $days } दिवस चेक-इन नाही: कदाचित साथ सुटत आहे
console-audit-title = ऑडिट लॉग
console-audit-action = कृती
console-audit-any = कोणतीही
console-audit-member = सदस्य
console-audit-since = पासून
console-audit-until = पर्यंत
console-audit-filter = निवडा
console-audit-none = या निवडीसाठी काहीही नोंदलेले नाही.
console-audit-when = केव्हा
console-audit-who = कर्मचारी

## ऑडिट लॉगमधील कामे (bot/web/pages/audit.py action_label)

console-audit-via-console = कन्सोलमधून
console-audit-via-refused = नाकारले
console-audit-link = साइन-इन लिंक बनवली
console-audit-signin = साइन इन केले
console-audit-signout = साइन आउट केले
console-audit-signout-all = सगळीकडून साइन आउट केले
console-audit-reveal = खरे नाव आणि नोंदी पाहिल्या
console-audit-export-case = केस रिव्ह्यू डाउनलोड केला
console-audit-export-attendance = उपस्थिती डाउनलोड केली
console-audit-ack = अलर्ट स्वीकारला
console-audit-resolve = अलर्ट पूर्ण केला
console-audit-acknowledged = अलर्ट स्वीकारला
console-audit-resolved = अलर्ट पूर्ण केला
console-audit-view-member = सदस्याचा कल पाहिला
console-audit-view-queue = अलर्टची यादी पाहिली
console-audit-view-held = थांबवलेले संदेश पाहिले
console-audit-view-circle-health = सर्कलची स्थिती पाहिली
console-audit-center-settings = केंद्राची सेटिंग बदलली
console-audit-staff-add = स्टाफ सदस्य जोडला
console-audit-staff-backup-on = बॅकअप केले
console-audit-staff-backup-off = बॅकअपमधून काढले
console-audit-staff-deactivate = स्टाफ सदस्याला निष्क्रिय केले
console-audit-member-reassign = सदस्याला दुसरा समुपदेशक दिला
console-audit-circle-add = सर्कल जोडले
console-audit-circle-capacity = सर्कलची क्षमता बदलली
console-audit-circle-move = सदस्याला दुसऱ्या सर्कलमध्ये हलवले
console-audit-circle-remove = सदस्याला सर्कलमधून काढले
console-audit-circle-mute = सर्कलमध्ये सदस्याला म्यूट केले
console-audit-circle-lift-review = सर्कलचे पुनरावलोकन काढले
console-audit-invites-create = निमंत्रणे बनवली
console-audit-invite-sheet = निमंत्रण शीट छापली
console-audit-sponsor-link = स्पॉन्सर जोडला
console-audit-sponsor-unlink = स्पॉन्सर काढला
console-audit-sponsor-volunteer-add = स्वयंसेवक स्पॉन्सर जोडला
console-audit-export-data = सदस्याचा डेटा काढला
console-audit-forgotten = सदस्याचा डेटा पुसला

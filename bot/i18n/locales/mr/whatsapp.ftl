## WhatsApp: the words the WhatsApp rendering adds, and the templates sent outside the 24-hour window.
## Template bodies never say what the centre treats: a family member may see the phone.

wa-list-button = निवडा
wa-menu-button = मेन्यू
wa-reply-number = तुमच्या निवडीचा क्रमांक लिहून पाठवा.

wa-tpl-checkin-body = नमस्कार { $name }, तुमच्या रोजच्या चेक-इनची वेळ झाली आहे. तयार असाल तेव्हा खाली टॅप करा.
wa-tpl-checkin-button = आता चेक-इन करा
wa-tpl-reminder-body = नमस्कार { $name }, साथीकडून एक छोटीशी आठवण. एक मिनिट मिळेल तेव्हा खाली टॅप करा.
wa-tpl-reminder-button = साथी उघडा
wa-tpl-sponsor-body = नमस्कार { $name }, साथीवर तुमच्यासाठी एक नवीन संदेश आहे. वाचण्यासाठी खाली टॅप करा.
wa-tpl-sponsor-button = वाचा
wa-tpl-staff-body = नमस्कार { $name }, तुमच्या केंद्रातील कोणीतरी तुमची वाट पाहत आहे. आत्ता पाहण्यासाठी खाली टॅप करा.
wa-tpl-staff-button = दाखवा

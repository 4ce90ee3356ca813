"""The bot's own words, in the reader's Telegram language: English, Azerbaijani, Russian or
Turkish (every phrase in each; tests/test_telegram.py checks), English for any other."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "intro": "I answer questions about these documents by quoting them word for word, "
        "with the paragraph each quote comes from:",
        "how": "Ask in any language, in your own words. In a group, mention me, reply to me, "
        "or use /ask. Commands: /documents, /clause <document> <number>, /help.",
        "examples": "For example:",
        "not_answered": "The documents do not answer this question.",
        "no_place": "The documents have no {places}.",
        "repeated": "Words repeated three times or more in a row were read once.",
        "closest": "Closest clause (not an answer, for you to judge):",
        "also_in": "Also in:",
        "uncertain": "The documents may not answer this question. The nearest clauses:",
        "score": "score",
        "more": "More ▸",
        "context": "Full clause",
        "no_more": "There are no more passages.",
        "thanks": "Thank you for the feedback.",
        "expired": "This button has expired: please ask again.",
        "too_long": "That message is too long for a question ({limit} characters at most). "
        "Please ask a shorter question.",
        "empty": "Please send a question as text, e.g. “Who signed the letter?”",
        "vague": "Your question names nothing to look for in the documents. Say what you "
        "want to know about: a subject, a name, a date.",
        "non_text": "I can only read text questions. Please type your question.",
        "slow_down": "You are asking quickly: please wait a few seconds and ask again.",
        "error": "Sorry, something went wrong while answering. Please try again.",
        "documents": "Documents:",
        "documents_part": "Documents {first}-{last} of {total}:",
        "documents_more": "… and {more} more: /documents lists them all.",
        "clause_usage": "Usage: /clause <document> <number>, e.g. /clause {example} 8",
        "no_clause": "There is no such clause. See /documents for the document names.",
        "not_admin": "Sorry, only the bot's administrators can do that.",
        "reindexing": "Re-embedding the corpus…",
        "skipped_more": "⚠ … and {more} more left out: the log names each.",
        "corpus_changed": "⚠ The corpus has changed since the index was built ({documents}): "
        "/reindex reads the changes.",
        "index_outdated": "⚠ The index was built by an earlier version of clausebot, which cut "
        "and cited the documents otherwise: /reindex reads them again.",
        "reindexed": "Index updated. Documents: {documents}; clauses: {clauses} "
        "({embedded} embedded, {reused} reused, {removed} removed) in {seconds:.1f} s.",
        "ask_usage": "Usage: /ask <question>",
        "stats": "Questions: {questions} (answered {answered}, not answered {abstained}); "
        "feedback 👍 {up} 👎 {down}.",
        "top_questions": "Most asked:",
        "no_documents": "No documents are indexed yet, so there is nothing to answer from. "
        "An administrator can send documents to the bot, or add them to its folder and run "
        "/reindex.",
        "uploaded": "Added “{title}” to the corpus as {id}.",
        "upload_format": "{name} cannot be added: the corpus reads {formats} files.",
        "upload_size": "{name} is {size} MB: a document sent here may be {limit} MB at most.",
        "upload_caption": "The caption gives the document's details a line each, “key: value” "
        "({keys}; “replace: yes” replaces a document of the same name); a first line without "
        "a key is its title. Not understood: {line}",
        "upload_exists": "The corpus has a document named {name} already: a line “replace: "
        "yes” in the caption, or after /add, replaces it.",
        "upload_id_taken": "The id {id} is taken by {other}, another document of the corpus: "
        "give this one its own with a line “id: …”, or send it as {other} with “replace: "
        "yes” to replace that one.",
        "upload_fetch": "{name} could not be fetched from Telegram: please send it again.",
        "upload_refused": "The document was not added, and the corpus is as it was: {reason}",
        "upload_unwritable": "No document can be added from here: the corpus folder cannot be "
        "written ({reason}). Add it where the corpus is kept, then send /reindex.",
        "remove_usage": "Usage: /remove <document>, e.g. /remove {example} (/documents lists them)",
        "removed": "Took “{title}” ({id}) out of the corpus; it is kept in {kept} in the "
        "corpus folder.",
        "remove_unwritable": "No document can be taken out from here: the corpus folder "
        "cannot be written ({reason}).",
        "admin_help": "As an administrator: /stats, /reindex, /add <address>, /remove "
        "<document>; a document you send me here is added (its caption: “title: …”, "
        "“date: …”, a line each).",
        "add_usage": "Usage: /add <address of a document on the web>, its details on the lines "
        "after it (“title: …”, “date: …”).",
    },
    "az": {
        "intro": "Bu sənədlər haqqında suallara onlardan sözbəsöz sitatla, hər sitatın "
        "götürüldüyü bəndi göstərməklə cavab verirəm:",
        "how": "İstənilən dildə, öz sözlərinizlə soruşun. Qrupda məni qeyd edin, mənə cavab "
        "yazın və ya /ask istifadə edin. Əmrlər: /documents, /clause <sənəd> <nömrə>, /help.",
        "examples": "Məsələn:",
        "not_answered": "Sənədlər bu suala cavab vermir.",
        "no_place": "Sənədlərdə belə yer yoxdur: {places}.",
        "repeated": "Ardıcıl üç və ya daha çox dəfə təkrarlanan sözlər bir dəfə oxundu.",
        "closest": "Ən yaxın bənd (cavab deyil, özünüz qiymətləndirin):",
        "also_in": "Həmçinin:",
        "uncertain": "Sənədlər bu suala cavab verməyə bilər. Ən yaxın bəndlər:",
        "score": "bal",
        "more": "Daha çox ▸",
        "context": "Tam bənd",
        "no_more": "Başqa bənd yoxdur.",
        "thanks": "Rəyiniz üçün təşəkkür edirik.",
        "expired": "Bu düymənin vaxtı keçib: zəhmət olmasa, yenidən soruşun.",
        "too_long": "Mesaj sual üçün çox uzundur (ən çoxu {limit} simvol). "
        "Zəhmət olmasa, qısa sual verin.",
        "empty": "Zəhmət olmasa, sualı mətn kimi göndərin, məsələn: “Məktubu kim imzalayıb?”",
        "vague": "Sualınızda sənədlərdə axtarılacaq heç nə adlanmır. Nə haqqında bilmək "
        "istədiyinizi yazın: mövzu, ad, tarix.",
        "non_text": "Yalnız mətn suallarını oxuya bilirəm. Zəhmət olmasa, sualınızı yazın.",
        "slow_down": "Çox tez soruşursunuz: bir neçə saniyə gözləyib yenidən soruşun.",
        "error": "Bağışlayın, cavab verərkən xəta baş verdi. Zəhmət olmasa, yenidən cəhd edin.",
        "documents": "Sənədlər:",
        "documents_part": "Sənədlər, {total} sənəddən {first}-{last}:",
        "documents_more": "… və daha {more} sənəd: hamısı /documents ilə görünür.",
        "no_clause": "Belə bənd yoxdur. Sənəd adları üçün /documents baxın.",
        "not_admin": "Bağışlayın, bunu yalnız botun administratorları edə bilər.",
        "clause_usage": "İstifadə: /clause <sənəd> <nömrə>, məsələn /clause {example} 8",
        "reindexing": "Sənədlər yenidən indekslənir…",
        "skipped_more": "⚠ … və daha {more} sənəd oxunmadı: jurnalda hər biri göstərilib.",
        "corpus_changed": "⚠ İndeks qurulandan sonra sənədlər dəyişib ({documents}): "
        "/reindex dəyişiklikləri oxuyur.",
        "index_outdated": "⚠ İndeksi clausebot-un əvvəlki versiyası qurub, sənədləri başqa cür "
        "bölüb və istinad edib: /reindex onları yenidən oxuyur.",
        "reindexed": "İndeks yeniləndi: {documents} sənəd, {clauses} bənd ({embedded} yeni, "
        "{reused} təkrar istifadə olunub, {removed} silinib), {seconds:.1f} san.",
        "ask_usage": "İstifadə: /ask <sual>",
        "stats": "Suallar: {questions} (cavablanıb {answered}, cavabsız {abstained}); "
        "rəylər 👍 {up} 👎 {down}.",
        "top_questions": "Ən çox verilən suallar:",
        "no_documents": "Hələ heç bir sənəd indekslənməyib, ona görə cavab üçün mənbə yoxdur. "
        "Administrator sənədləri bota göndərə, ya da qovluğa əlavə edib /reindex işlədə "
        "bilər.",
        "uploaded": "“{title}” sənədlərə {id} adı ilə əlavə edildi.",
        "upload_format": "{name} əlavə edilə bilməz: bu fayllar oxunur: {formats}.",
        "upload_size": "{name} {size} MB-dır: buraya göndərilən sənəd ən çoxu {limit} MB ola "
        "bilər.",
        "upload_caption": "Açıqlama sənədin məlumatlarını hər sətirdə bir “açar: dəyər” kimi verir "
        "({keys}; “replace: yes” eyni adlı sənədi əvəz edir); açarsız ilk sətir onun "
        "başlığıdır. Anlaşılmadı: {line}",
        "upload_exists": "Artıq {name} adlı sənəd var: açıqlamada və ya /add-dan sonra "
        "“replace: yes” sətri onu əvəz edir.",
        "upload_id_taken": "{id} identifikatoru artıq başqa sənədindir ({other}): bu sənədə "
        "“id: …” sətri ilə öz identifikatorunu verin, ya da o sənədi əvəz etmək üçün bunu "
        "{other} adı ilə “replace: yes” sətri ilə göndərin.",
        "upload_fetch": "{name} Telegram-dan alına bilmədi: zəhmət olmasa, yenidən göndərin.",
        "upload_refused": "Sənəd əlavə edilmədi, sənədlər olduğu kimi qaldı: {reason}",
        "upload_unwritable": "Buradan sənəd əlavə etmək olmur: sənədlər qovluğuna yazmaq "
        "mümkün deyil ({reason}). Sənədi qovluğun saxlandığı yerdə əlavə edib /reindex "
        "göndərin.",
        "remove_usage": "İstifadə: /remove <sənəd>, məsələn /remove {example} (/documents "
        "onları sadalayır)",
        "removed": "“{title}” ({id}) sənədlərdən çıxarıldı; o, sənədlər qovluğunda {kept} "
        "içində saxlanılır.",
        "remove_unwritable": "Buradan sənəd çıxarmaq olmur: sənədlər qovluğuna yazmaq mümkün "
        "deyil ({reason}).",
        "admin_help": "Administrator kimi: /stats, /reindex, /add <ünvan>, /remove <sənəd>; "
        "buraya göndərdiyiniz sənəd əlavə edilir (açıqlaması: “title: …”, “date: …”, hər "
        "sətirdə bir).",
        "add_usage": "İstifadə: /add <sənədin internetdəki ünvanı>, məlumatları növbəti "
        "sətirlərdə (“title: …”, “date: …”).",
    },
    "ru": {
        "intro": "Я отвечаю на вопросы об этих документах дословными цитатами, указывая "
        "пункт, из которого взята каждая цитата:",
        "how": "Спрашивайте на любом языке, своими словами. В группе упомяните меня, ответьте "
        "на моё сообщение или используйте /ask. Команды: /documents, /clause <документ> "
        "<номер>, /help.",
        "examples": "Например:",
        "not_answered": "В документах нет ответа на этот вопрос.",
        "no_place": "В документах такого места нет: {places}.",
        "repeated": "Слова, повторённые три раза и более подряд, прочитаны один раз.",
        "closest": "Ближайший пункт (не ответ, судите сами):",
        "also_in": "Также:",
        "uncertain": "Возможно, в документах нет ответа на этот вопрос. Ближайшие пункты:",
        "score": "оценка",
        "more": "Ещё ▸",
        "context": "Пункт целиком",
        "no_more": "Больше пунктов нет.",
        "thanks": "Спасибо за отзыв.",
        "expired": "Срок действия кнопки истёк: задайте вопрос ещё раз.",
        "too_long": "Сообщение слишком длинное для вопроса (не более {limit} символов). "
        "Пожалуйста, задайте вопрос короче.",
        "empty": "Пожалуйста, пришлите вопрос текстом, например: «Кто подписал письмо?»",
        "vague": "В вопросе не названо ничего, что можно найти в документах. Напишите, о чём "
        "вы хотите узнать: тема, имя, дата.",
        "non_text": "Я понимаю только текстовые вопросы. Пожалуйста, напишите вопрос.",
        "slow_down": "Вы спрашиваете слишком часто: подождите несколько секунд и спросите снова.",
        "error": "Извините, при ответе произошла ошибка. Попробуйте ещё раз.",
        "documents": "Документы:",
        "documents_part": "Документы {first}–{last} из {total}:",
        "documents_more": "… и ещё {more}: /documents покажет все.",
        "no_clause": "Такого пункта нет. Названия документов: /documents.",
        "not_admin": "Извините, это могут делать только администраторы бота.",
        "clause_usage": "Использование: /clause <документ> <номер>, например /clause {example} 8",
        "reindexing": "Переиндексация документов…",
        "skipped_more": "⚠ … пропущено ещё: {more} (каждый назван в журнале).",
        "corpus_changed": "⚠ Документы изменились после построения индекса ({documents}): "
        "/reindex учтёт изменения.",
        "index_outdated": "⚠ Индекс построен прежней версией clausebot, которая делила и "
        "цитировала документы иначе: /reindex прочтёт их заново.",
        "reindexed": "Индекс обновлён: документов {documents}, пунктов {clauses} (новых "
        "{embedded}, повторно использовано {reused}, удалено {removed}) за {seconds:.1f} с.",
        "ask_usage": "Использование: /ask <вопрос>",
        "stats": "Вопросов: {questions} (с ответом {answered}, без ответа {abstained}); "
        "отзывы 👍 {up} 👎 {down}.",
        "top_questions": "Чаще всего спрашивали:",
        "no_documents": "Пока не проиндексировано ни одного документа, поэтому отвечать не из "
        "чего. Администратор может прислать документы боту или добавить их в папку и "
        "выполнить /reindex.",
        "uploaded": "«{title}» добавлен к документам как {id}.",
        "upload_format": "{name} нельзя добавить: читаются файлы {formats}.",
        "upload_size": "{name} весит {size} МБ: присланный сюда документ может весить не более "
        "{limit} МБ.",
        "upload_caption": "В подписи — сведения о документе, по одному в строке, «ключ: "
        "значение» ({keys}; «replace: yes» заменяет документ с тем же именем); первая строка "
        "без ключа — его название. Непонятно: {line}",
        "upload_exists": "Документ {name} уже есть: строка «replace: yes» в подписи или "
        "после /add заменяет его.",
        "upload_id_taken": "Идентификатор {id} уже занят другим документом ({other}): дайте "
        "этому свой строкой «id: …» или, чтобы заменить тот, пришлите этот под именем "
        "{other} со строкой «replace: yes».",
        "upload_fetch": "Не удалось получить {name} из Telegram: пришлите его ещё раз.",
        "upload_refused": "Документ не добавлен, документы не изменились: {reason}",
        "upload_unwritable": "Отсюда документ добавить нельзя: в папку документов нельзя "
        "записывать ({reason}). Добавьте его туда, где хранятся документы, и пришлите /reindex.",
        "remove_usage": "Использование: /remove <документ>, например /remove {example} "
        "(список: /documents)",
        "removed": "«{title}» ({id}) убран из документов; он сохранён в папке документов, в "
        "{kept}.",
        "remove_unwritable": "Отсюда документ убрать нельзя: в папку документов нельзя "
        "записывать ({reason}).",
        "admin_help": "Администратору: /stats, /reindex, /add <адрес>, /remove <документ>; "
        "документ, присланный сюда, добавляется (в подписи: «title: …», «date: …», по одному "
        "в строке).",
        "add_usage": "Использование: /add <адрес документа в интернете>, сведения о нём — "
        "в следующих строках («title: …», «date: …»).",
    },
    "tr": {
        "intro": "Bu belgelerle ilgili soruları, belgelerden kelimesi kelimesine alıntı yaparak "
        "ve her alıntının alındığı maddeyi göstererek yanıtlıyorum:",
        "how": "Herhangi bir dilde, kendi sözlerinizle sorun. Grupta beni etiketleyin, "
        "mesajıma yanıt verin ya da /ask kullanın. Komutlar: /documents, /clause <belge> "
        "<numara>, /help.",
        "examples": "Örneğin:",
        "not_answered": "Belgeler bu soruyu yanıtlamıyor.",
        "no_place": "Belgelerde böyle bir yer yok: {places}.",
        "repeated": "Art arda üç ya da daha çok kez yinelenen sözcükler bir kez okundu.",
        "closest": "En yakın madde (yanıt değil, siz değerlendirin):",
        "also_in": "Ayrıca:",
        "uncertain": "Belgeler bu soruyu yanıtlamıyor olabilir. En yakın maddeler:",
        "score": "puan",
        "more": "Daha fazla ▸",
        "context": "Maddenin tamamı",
        "no_more": "Başka madde yok.",
        "thanks": "Geri bildiriminiz için teşekkürler.",
        "expired": "Bu düğmenin süresi doldu: lütfen yeniden sorun.",
        "too_long": "Bu mesaj bir soru için çok uzun (en fazla {limit} karakter). "
        "Lütfen daha kısa bir soru sorun.",
        "empty": "Lütfen sorunuzu metin olarak gönderin, örneğin: “Mektubu kim imzaladı?”",
        "vague": "Sorunuz belgelerde aranacak bir şey belirtmiyor. Ne hakkında bilgi "
        "istediğinizi yazın: bir konu, bir ad, bir tarih.",
        "non_text": "Yalnızca metin sorularını okuyabiliyorum. Lütfen sorunuzu yazın.",
        "slow_down": "Çok hızlı soruyorsunuz: birkaç saniye bekleyip tekrar sorun.",
        "error": "Üzgünüm, yanıtlarken bir hata oluştu. Lütfen tekrar deneyin.",
        "documents": "Belgeler:",
        "documents_part": "Belgeler, {total} belgeden {first}-{last}:",
        "documents_more": "… ve {more} belge daha: /documents hepsini listeler.",
        "clause_usage": "Kullanım: /clause <belge> <numara>, örneğin /clause {example} 8",
        "no_clause": "Böyle bir madde yok. Belge adları için: /documents.",
        "not_admin": "Üzgünüm, bunu yalnızca botun yöneticileri yapabilir.",
        "reindexing": "Belgeler yeniden dizinleniyor…",
        "skipped_more": "⚠ … ve {more} belge daha alınmadı: günlükte her biri yazılı.",
        "corpus_changed": "⚠ Dizin oluşturulduktan sonra belgeler değişti ({documents}): "
        "/reindex değişiklikleri okur.",
        "index_outdated": "⚠ Dizini clausebot'un önceki bir sürümü oluşturdu; belgeleri başka "
        "türlü böldü ve kaynak gösterdi: /reindex onları yeniden okur.",
        "reindexed": "Dizin güncellendi: {documents} belge, {clauses} madde ({embedded} yeni, "
        "{reused} yeniden kullanıldı, {removed} silindi), {seconds:.1f} sn.",
        "ask_usage": "Kullanım: /ask <soru>",
        "stats": "Sorular: {questions} (yanıtlanan {answered}, yanıtlanmayan {abstained}); "
        "geri bildirim 👍 {up} 👎 {down}.",
        "top_questions": "En çok sorulanlar:",
        "no_documents": "Henüz hiçbir belge dizinlenmedi, bu yüzden yanıt verilecek kaynak yok. "
        "Bir yönetici belgeleri bota gönderebilir ya da klasöre ekleyip /reindex "
        "çalıştırabilir.",
        "uploaded": "“{title}” belgelere {id} olarak eklendi.",
        "upload_format": "{name} eklenemez: okunan dosyalar: {formats}.",
        "upload_size": "{name} {size} MB: buraya gönderilen bir belge en çok {limit} MB olabilir.",
        "upload_caption": "Açıklama, belgenin bilgilerini her satırda bir “anahtar: değer” "
        "olarak verir ({keys}; “replace: yes” aynı adlı belgenin yerine geçer); anahtarsız ilk "
        "satır belgenin başlığıdır. Anlaşılmayan: {line}",
        "upload_exists": "{name} adlı bir belge zaten var: açıklamada ya da /add'den sonra "
        "“replace: yes” satırı onu değiştirir.",
        "upload_id_taken": "{id} kimliği başka bir belgenin ({other}): bu belgeye “id: …” "
        "satırıyla kendi kimliğini verin ya da o belgeyi değiştirmek için bunu {other} adıyla "
        "“replace: yes” satırıyla gönderin.",
        "upload_fetch": "{name} Telegram'dan alınamadı: lütfen yeniden gönderin.",
        "upload_refused": "Belge eklenmedi, belgeler olduğu gibi kaldı: {reason}",
        "upload_unwritable": "Buradan belge eklenemez: belgeler klasörüne yazılamıyor "
        "({reason}). Belgeyi klasörün bulunduğu yerde ekleyip /reindex gönderin.",
        "remove_usage": "Kullanım: /remove <belge>, örneğin /remove {example} (/documents "
        "belgeleri listeler)",
        "removed": "“{title}” ({id}) belgelerden çıkarıldı; belgeler klasöründe {kept} içinde "
        "saklanıyor.",
        "remove_unwritable": "Buradan belge çıkarılamaz: belgeler klasörüne yazılamıyor "
        "({reason}).",
        "admin_help": "Yönetici olarak: /stats, /reindex, /add <adres>, /remove <belge>; "
        "buraya gönderdiğiniz belge eklenir (açıklaması: “title: …”, “date: …”, her satırda "
        "bir).",
        "add_usage": "Kullanım: /add <belgenin internetteki adresi>, bilgileri sonraki "
        "satırlarda (“title: …”, “date: …”).",
    },
}


def language(code: str | None) -> str:
    base = (code or "en").split("-")[0].lower()
    return base if base in PHRASES else "en"


def t(lang: str, key: str, **values: object) -> str:
    """A phrase in the language, falling back to English for phrases not yet translated."""
    phrase = PHRASES.get(lang, {}).get(key) or PHRASES["en"][key]
    return phrase.format(**values) if values else phrase

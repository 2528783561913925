/* Messages for people, in zh-CN (default) and English: every error code and field check. */
#ifndef LINLI_I18N_H
#define LINLI_I18N_H
#include "server/http.h"

/* The message for code in lang; the English one if lang has none; code itself if unknown. */
const char *i18n_text(lang_t lang, const char *code);
/* The language an Accept-Language header asks for: English when its first choice is English. */
lang_t i18n_lang(const char *accept_language);
#endif

/* Text for the server's logs (the access log on stdout, messages on stderr). Whatever a client
 * sent (a path, a login, a header the library quotes) goes through log_escape before it is printed,
 * so that it cannot end a line, forge the next one or drive the terminal that shows it. */
#ifndef LINLI_LOG_H
#define LINLI_LOG_H
#include <stddef.h>

/* Writes s into out (cap bytes, cap >= 16), always NUL-terminated: control bytes (< 0x20, 0x7f),
 * '"' and '\' as \xNN; bytes >= 0x80 as they are when s is well-formed UTF-8, else as \xNN too. A
 * text that does not fit ends in "..." (the log line stays bounded). Returns out. */
char *log_escape(char *out, size_t cap, const char *s);
#endif

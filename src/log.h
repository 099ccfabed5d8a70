/*
 * Logging to stderr, one line per message, prefixed with the current
 * thread's request id.  Never pass passwords, tokens, cookies or ticket
 * codes to these functions.
 */
#ifndef CONFERO_LOG_H
#define CONFERO_LOG_H

#include <stdnoreturn.h>

extern _Thread_local char log_reqid[24];

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* AO-5: phone numbers are E.164 — "+", a non-zero leading digit, at most 15
 * digits in all. The core normalises nothing: "+1 (555) 123-4567" is invalid,
 * not rewritten. **decision** (docs/decisions.md, issue 14): at least 2 digits
 * (a country code and one more); the provider mocks check the same bounds, so
 * a number is refused in one way only — by the core, before any call. */
#ifndef DIALSIM_E164_H
#define DIALSIM_E164_H

#include <stdbool.h>
#include <stddef.h>

#define E164_MIN_DIGITS 2
#define E164_MAX_DIGITS 15

/* True when s is E.164 (AO-5). NULL is not. */
bool e164_valid(const char *s);
/* Why s is not E.164, as a phrase ("has 16 digits; at most 15 are allowed"),
 * or NULL when it is valid. Returns a static string or writes into buf. */
const char *e164_problem(const char *s, char *buf, size_t n);
/* Describe how `got` differs from `want` for a human ("differs in the last
 * digit", "lacks the leading +", "has 12 digits instead of 11"). Writes into
 * buf and returns it. */
const char *e164_difference(const char *got, const char *want, char *buf, size_t n);

#endif

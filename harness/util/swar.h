/* Eight bytes at a time ("SIMD within a register"): which bytes of a word a
 * JSON string cannot hold as they are. The word tests of "Bit Twiddling
 * Hacks" (haszero, hasless): a result of 0 is exact for "no byte matches",
 * which is all the callers ask before taking eight bytes at once; a non-zero
 * result sends them byte by byte. Used by util/json_write.c (writing) and
 * core/json_fast.c (reading). */
#ifndef DIALSIM_SWAR_H
#define DIALSIM_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGHS 0x8080808080808080ULL

static inline uint64_t swar_load(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}

/* Non-zero when a byte of x is '"', '\\' or below 0x20; bytes of 0x80 and
 * above never count (UTF-8 is written as it is). */
static inline uint64_t swar_json_escapes(uint64_t x)
{
    uint64_t q = x ^ (SWAR_ONES * '"'), b = x ^ (SWAR_ONES * '\\');
    return ((x - SWAR_ONES * 0x20) | (q - SWAR_ONES) | (b - SWAR_ONES)) & ~x & SWAR_HIGHS;
}

#endif

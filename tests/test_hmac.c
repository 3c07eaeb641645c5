/* Unit tests for harness/core/hmac: HMAC-SHA256 in lower-case hex, and the
 * constant-time comparison, on which every provider webhook check rests
 * (providers.md §4.2 Retell, §4.3 ElevenLabs; H-1, H-3: forged webhooks must
 * be told apart). Expected digests are not copied from hmac.c's own output:
 * they come from the openssl command-line tool, run by the test on the same
 * key and message (tests/openssl_cli.h), and from RFC 4231. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/hmac.h"
#include "openssl_cli.h"

static void expect_openssl(const char *key, const char *msg, size_t len)
{
    char want[65], got[65];
    if (openssl_hmac_hex(key, msg, len, want) != 0)
        fail_msg("openssl CLI failed for key \"%s\": %s", key, want);
    memset(got, 'X', sizeof got);
    assert_int_equal(hmac_sha256_hex(key, msg, len, NULL, 0, got), 0);
    if (strcmp(got, want) != 0)
        fail_msg("key \"%s\", %zu-byte message: hmac.c %s, openssl %s", key, len, got, want);
}

/* RFC 4231 test case 2: the reference vector, and the oracle agrees with it. */
static void rfc4231_case2(void **state)
{
    (void)state;
    static const char *want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    const char *msg = "what do ya want for nothing?";
    char got[65];
    assert_int_equal(hmac_sha256_hex("Jefe", msg, strlen(msg), NULL, 0, got), 0);
    assert_string_equal(got, want);
    char cli[65];
    assert_int_equal(openssl_hmac_hex("Jefe", msg, strlen(msg), cli), 0);
    assert_string_equal(cli, want);
}

/* RFC 4231 test case 6: a key longer than SHA-256's 64-byte block is hashed first. */
static void rfc4231_case6_long_key(void **state)
{
    (void)state;
    char key[132];
    memset(key, 0xaa, 131);
    key[131] = '\0';
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    char got[65];
    assert_int_equal(hmac_sha256_hex(key, msg, strlen(msg), NULL, 0, got), 0);
    assert_string_equal(got, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void printable_vectors_match_openssl(void **state)
{
    (void)state;
    static const struct {
        const char *key, *msg;
    } v[] = {
        {"key_retell_live",
         "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"c1\"}}1767268800000"},
        {"whsec_0123456789abcdef", "1767268800.{\"type\":\"post_call_transcription\"}"},
        {"k", "a"},
        {"Jefe", "The quick brown fox jumps over the lazy dog"},
        {"a key with spaces, = and 'quotes'", "line one\nline two\n\ttabbed \"quoted\" %s %d \\n"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        expect_openssl(v[i].key, v[i].msg, strlen(v[i].msg));
}

/* An empty message, and an empty key (HMAC pads the key with zeros). */
static void empty_key_and_message_match_openssl(void **state)
{
    (void)state;
    expect_openssl("key", "", 0);
    expect_openssl("", "message", 7);
    expect_openssl("", "", 0);
    char got[65];
    assert_int_equal(hmac_sha256_hex("", "", 0, NULL, 0, got), 0);
    /* HMAC-SHA256("", ""): a well-known value */
    assert_string_equal(got, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

/* Every byte value but NUL, in the message and in the key; messages across
 * the 64-byte block boundary. */
static void binary_vectors_match_openssl(void **state)
{
    (void)state;
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    expect_openssl("bin", all, 255);
    static const char bin[] = "\xff\xfe\x01 payload \x80";
    expect_openssl("\x01\x7f\x80\xfe\xff'\"\\ k=e,y", bin, sizeof bin - 1);
    char blk[200];
    for (size_t n = 55; n <= 129; n += 9) {
        memset(blk, 'z', n);
        blk[n] = '\0';
        expect_openssl("block", blk, n);
    }
    char longkey[101];
    memset(longkey, 'K', 100);
    longkey[100] = '\0';
    expect_openssl(longkey, "long key", 8);
}

/* msg1 || msg2 is one message, wherever it is split (Retell signs body + ms,
 * ElevenLabs "t." + body, without copying them together first). */
static void two_parts_are_one_message(void **state)
{
    (void)state;
    const char *m = "{\"event\":\"call_started\"}1767268800000";
    size_t n = strlen(m);
    char whole[65], part[65];
    assert_int_equal(hmac_sha256_hex("secret", m, n, NULL, 0, whole), 0);
    for (size_t i = 0; i <= n; i++) {
        assert_int_equal(hmac_sha256_hex("secret", m, i, m + i, n - i, part), 0);
        if (strcmp(whole, part) != 0)
            fail_msg("split at %zu: %s != %s", i, part, whole);
    }
    /* msg2 NULL: its length is ignored */
    assert_int_equal(hmac_sha256_hex("secret", m, n, NULL, 99, part), 0);
    assert_string_equal(part, whole);
    char cli[65];
    assert_int_equal(openssl_hmac_hex("secret", m, n, cli), 0);
    assert_string_equal(whole, cli);
}

/* 64 lower-case hex digits, NUL-terminated; different inputs, different digests. */
static void output_shape(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    memset(a, 'X', sizeof a);
    assert_int_equal(hmac_sha256_hex("k1", "m", 1, NULL, 0, a), 0);
    assert_int_equal(strlen(a), 64);
    for (int i = 0; i < 64; i++)
        assert_true((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));
    assert_int_equal(hmac_sha256_hex("k2", "m", 1, NULL, 0, b), 0);
    assert_int_equal(hmac_sha256_hex("k1", "n", 1, NULL, 0, c), 0);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
}

static void secret_equal_cases(void **state)
{
    (void)state;
    assert_true(secret_equal("whsec_abc", "whsec_abc"));
    assert_true(secret_equal("", ""));
    assert_false(secret_equal("whsec_abc", "whsec_abd")); /* last byte */
    assert_false(secret_equal("Whsec_abc", "whsec_abc")); /* first byte, case */
    assert_false(secret_equal("whsec_ab", "whsec_abc"));  /* a prefix is not the secret */
    assert_false(secret_equal("whsec_abc", "whsec_ab"));
    assert_false(secret_equal("whsec_abc", ""));
    assert_false(secret_equal(NULL, "x"));
    assert_false(secret_equal("x", NULL));
    assert_false(secret_equal(NULL, NULL));
    char a[65], b[65];
    assert_int_equal(hmac_sha256_hex("k", "m", 1, NULL, 0, a), 0);
    memcpy(b, a, sizeof b);
    assert_true(secret_equal(a, b));
    b[63] = b[63] == '0' ? '1' : '0';
    assert_false(secret_equal(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4231_case2),
        cmocka_unit_test(rfc4231_case6_long_key),
        cmocka_unit_test(printable_vectors_match_openssl),
        cmocka_unit_test(empty_key_and_message_match_openssl),
        cmocka_unit_test(binary_vectors_match_openssl),
        cmocka_unit_test(two_parts_are_one_message),
        cmocka_unit_test(output_shape),
        cmocka_unit_test(secret_equal_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

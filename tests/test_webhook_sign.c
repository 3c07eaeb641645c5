/* Unit tests for webhook signatures, both sides of the wire: the mocks sign
 * (mocks/webhook.c mock_webhook_sign) and the core verifies
 * (verify_webhook of provider_retell, provider_elevenlabs, provider_vapi in
 * harness/core/provider.h). H-1: the signatures are the providers' own
 * (providers.md §4.1-§4.3), checked against HMACs computed by the openssl CLI
 * (tests/openssl_cli.h), not by our hmac.c. H-3: forged, stale, malformed and
 * missing signatures are refused, so nothing of them reaches a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/provider.h"
#include "openssl_cli.h"
#include "webhook.h"

#define T0 INT64_C(1767268800123) /* 2026-01-01T12:00:00.123Z */
#define MIN_MS INT64_C(60000)
#define RETELL_KEY "key_retell_live_9f2"
#define EL_SECRET "wsec_el_5d1c0ab7"
#define VAPI_SECRET "vapi-server-secret-77"

static const char *BODY = "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"call_5a1\","
                          "\"call_status\":\"ended\",\"disconnection_reason\":\"user_hangup\"}}";
static const char *EL_BODY = "{\"type\":\"post_call_transcription\",\"event_timestamp\":"
                             "1767268800,\"data\":{\"conversation_id\":\"conv_1\"}}";

static int verify(const struct provider_ops *ops, const char *name, const char *value,
                  const char *body, const char *secret, int64_t now, char *err, size_t n)
{
    struct ds_header h[3] = {
        {"Content-Type", "application/json"}, {"User-Agent", "provider/1.0"}, {name, value}};
    err[0] = '\0';
    int rc = ops->verify_webhook(h, name ? 3 : 2, body, strlen(body), secret, now, err, n);
    if (rc != 0 && !err[0])
        fail_msg("%s: refused without saying why", ops->name);
    return rc;
}

static int retell_ok(const char *value, const char *body, const char *secret, int64_t now)
{
    char err[300];
    return verify(&provider_retell, "x-retell-signature", value, body, secret, now, err,
                  sizeof err);
}

static int el_ok(const char *value, const char *body, const char *secret, int64_t now)
{
    char err[300];
    return verify(&provider_elevenlabs, "ElevenLabs-Signature", value, body, secret, now, err,
                  sizeof err);
}

/* ---- signing: the mock's headers are the providers' (H-1) --------------- */

/* §4.2: x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(api key, body + ms)> */
static void h1_retell_sign_matches_openssl(void **state)
{
    (void)state;
    static const int64_t at[] = {T0, 0, 1, INT64_C(999999999999999)};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char sig[200], msg[512], want[65], expect[200];
        assert_int_equal(
            mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, at[i], BODY, sig, sizeof sig), 0);
        snprintf(msg, sizeof msg, "%s%" PRId64, BODY, at[i]);
        assert_int_equal(openssl_hmac_hex(RETELL_KEY, msg, strlen(msg), want), 0);
        snprintf(expect, sizeof expect, "v=%" PRId64 ",d=%s", at[i], want);
        assert_string_equal(sig, expect);
    }
}

/* §4.3: ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256(secret, "t.body")> */
static void h1_elevenlabs_sign_matches_openssl(void **state)
{
    (void)state;
    static const int64_t at[] = {T0, T0 + 999, 1000, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char sig[200], msg[512], want[65], expect[200];
        assert_int_equal(
            mock_webhook_sign(WH_AUTH_ELEVENLABS, EL_SECRET, at[i], EL_BODY, sig, sizeof sig), 0);
        int64_t t = at[i] / 1000; /* seconds, truncated */
        snprintf(msg, sizeof msg, "%" PRId64 ".%s", t, EL_BODY);
        assert_int_equal(openssl_hmac_hex(EL_SECRET, msg, strlen(msg), want), 0);
        snprintf(expect, sizeof expect, "t=%" PRId64 ",v0=%s", t, want);
        assert_string_equal(sig, expect);
    }
}

/* §4.1: Vapi signs nothing; the secret itself travels. */
static void h1_vapi_sign_is_the_secret(void **state)
{
    (void)state;
    char sig[100];
    assert_int_equal(mock_webhook_sign(WH_AUTH_BEARER, VAPI_SECRET, T0, BODY, sig, sizeof sig), 0);
    assert_string_equal(sig, VAPI_SECRET);
    assert_int_equal(mock_webhook_sign(WH_AUTH_VAPI_SECRET, VAPI_SECRET, T0, BODY, sig, sizeof sig),
                     0);
    assert_string_equal(sig, VAPI_SECRET);
}

/* ---- Retell verification (§4.2) ----------------------------------------- */

static void h3_retell_good_signature_accepted(void **state)
{
    (void)state;
    char sig[200];
    mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, T0, BODY, sig, sizeof sig);
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0), 0);
    /* a signature made by openssl alone verifies too */
    char msg[512], hex[65], own[200];
    snprintf(msg, sizeof msg, "%s%" PRId64, BODY, T0 + 7);
    assert_int_equal(openssl_hmac_hex(RETELL_KEY, msg, strlen(msg), hex), 0);
    snprintf(own, sizeof own, "v=%" PRId64 ",d=%s", T0 + 7, hex);
    assert_int_equal(retell_ok(own, BODY, RETELL_KEY, T0), 0);
}

/* Header names in any case (HTTP). */
static void h3_retell_header_name_any_case(void **state)
{
    (void)state;
    char sig[200], err[300];
    mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, T0, BODY, sig, sizeof sig);
    static const char *names[] = {"x-retell-signature", "X-Retell-Signature", "X-RETELL-SIGNATURE",
                                  "x-ReTeLl-sIgNaTuRe"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(
            verify(&provider_retell, names[i], sig, BODY, RETELL_KEY, T0, err, sizeof err), 0);
}

static void h3_retell_forged_refused(void **state)
{
    (void)state;
    char sig[200], err[300];
    /* wrong key */
    mock_webhook_sign(WH_AUTH_RETELL, "forged-" RETELL_KEY, T0, BODY, sig, sizeof sig);
    assert_int_equal(
        verify(&provider_retell, "x-retell-signature", sig, BODY, RETELL_KEY, T0, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "does not match"));
    /* the body changed by one byte, anywhere */
    mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, T0, BODY, sig, sizeof sig);
    char body[512];
    size_t n = strlen(BODY);
    for (size_t i = 0; i < n; i += 7) {
        snprintf(body, sizeof body, "%s", BODY);
        body[i] ^= 0x01;
        if (retell_ok(sig, body, RETELL_KEY, T0) == 0)
            fail_msg("Retell: body changed at byte %zu accepted", i);
    }
    snprintf(body, sizeof body, "%s ", BODY); /* one byte more */
    assert_int_equal(retell_ok(sig, body, RETELL_KEY, T0), -1);
    /* the timestamp is signed: another v= with the same digest is forged */
    char moved[200];
    const char *d = strstr(sig, ",d=");
    snprintf(moved, sizeof moved, "v=%" PRId64 "%s", T0 + 1, d);
    assert_int_equal(retell_ok(moved, BODY, RETELL_KEY, T0), -1);
    /* one digest digit changed */
    snprintf(moved, sizeof moved, "%s", sig);
    char *last = moved + strlen(moved) - 1;
    *last = *last == 'a' ? 'b' : 'a';
    assert_int_equal(retell_ok(moved, BODY, RETELL_KEY, T0), -1);
}

static void h3_retell_malformed_or_missing_refused(void **state)
{
    (void)state;
    char sig[200], hex[65], bad[300], err[300];
    mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, T0, BODY, sig, sizeof sig);
    snprintf(hex, sizeof hex, "%s", strstr(sig, ",d=") + 3);
    char ts[32];
    snprintf(ts, sizeof ts, "%" PRId64, T0);
    /* {before the timestamp, between, after the digest} around ts and hex */
    static const char *shapes[][3] = {
        {"d=", "", ""},        /* "d=<hex>" then nothing: no timestamp */
        {"v=", ";d=", ""},     /* wrong separator */
        {"t=", ",v0=", ""},    /* ElevenLabs' format */
        {"V=", ",D=", ""},     /* keys are lower case */
        {"v=", ",d=", "ab"},   /* trailing digits after the digest */
        {"v=", ",d=", ",x=1"}, /* trailing junk */
        {"v=", ",d= ", ""},    /* space before the digest */
        {"v=", ",,d=", ""},    /* empty part */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (i == 0)
            snprintf(bad, sizeof bad, "d=%s", hex);
        else
            snprintf(bad, sizeof bad, "%s%s%s%s%s", shapes[i][0], ts, shapes[i][1], hex,
                     shapes[i][2]);
        if (retell_ok(bad, BODY, RETELL_KEY, T0) == 0)
            fail_msg("Retell: malformed header \"%s\" accepted", bad);
    }
    static const char *fixed[] = {"v=", "d=", "v=,d=", ",", "v=1767268800123"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        assert_int_equal(retell_ok(fixed[i], BODY, RETELL_KEY, T0), -1);
    snprintf(bad, sizeof bad, "v=%s,d=", ts); /* empty digest */
    assert_int_equal(retell_ok(bad, BODY, RETELL_KEY, T0), -1);
    snprintf(bad, sizeof bad, "d=%s,v=%s", hex, ts); /* parts swapped */
    assert_int_equal(retell_ok(bad, BODY, RETELL_KEY, T0), -1);
    snprintf(bad, sizeof bad, "v=,d=%s", hex); /* empty timestamp */
    assert_int_equal(retell_ok(bad, BODY, RETELL_KEY, T0), -1);
    assert_int_equal(retell_ok(hex, BODY, RETELL_KEY, T0), -1); /* bare digest */
    assert_int_equal(retell_ok("", BODY, RETELL_KEY, T0), -1);
    /* upper-case hex is not what Retell sends */
    snprintf(bad, sizeof bad, "%s", sig);
    for (char *p = strstr(bad, ",d=") + 3; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);
    assert_int_equal(retell_ok(bad, BODY, RETELL_KEY, T0), -1);
    /* missing: no header at all, or only another provider's */
    assert_int_equal(verify(&provider_retell, NULL, NULL, BODY, RETELL_KEY, T0, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no x-retell-signature"));
    assert_int_equal(verify(&provider_retell, "ElevenLabs-Signature", sig, BODY, RETELL_KEY, T0,
                            err, sizeof err),
                     -1);
    assert_int_equal(verify(&provider_retell, "Authorization", "Bearer " RETELL_KEY, BODY,
                            RETELL_KEY, T0, err, sizeof err),
                     -1);
}

/* At most 5 minutes either way (the Retell SDK's window). */
static void h3_retell_stale_refused_both_ways(void **state)
{
    (void)state;
    char sig[200], err[300];
    mock_webhook_sign(WH_AUTH_RETELL, RETELL_KEY, T0, BODY, sig, sizeof sig);
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0 + 5 * MIN_MS), 0);
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0 - 5 * MIN_MS), 0);
    assert_int_equal(verify(&provider_retell, "x-retell-signature", sig, BODY, RETELL_KEY,
                            T0 + 5 * MIN_MS + 1, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "old"));
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0 - 5 * MIN_MS - 1), -1); /* future */
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0 + 60 * MIN_MS), -1);
    assert_int_equal(retell_ok(sig, BODY, RETELL_KEY, T0 - 60 * MIN_MS), -1);
}

/* ---- ElevenLabs verification (§4.3) ------------------------------------- */

static void h3_elevenlabs_good_signature_accepted(void **state)
{
    (void)state;
    char sig[200], err[300];
    mock_webhook_sign(WH_AUTH_ELEVENLABS, EL_SECRET, T0, EL_BODY, sig, sizeof sig);
    static const char *names[] = {"ElevenLabs-Signature", "elevenlabs-signature",
                                  "ELEVENLABS-SIGNATURE"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(
            verify(&provider_elevenlabs, names[i], sig, EL_BODY, EL_SECRET, T0, err, sizeof err),
            0);
    /* made by openssl alone */
    char msg[512], hex[65], own[200];
    snprintf(msg, sizeof msg, "%" PRId64 ".%s", T0 / 1000 - 3, EL_BODY);
    assert_int_equal(openssl_hmac_hex(EL_SECRET, msg, strlen(msg), hex), 0);
    snprintf(own, sizeof own, "t=%" PRId64 ",v0=%s", T0 / 1000 - 3, hex);
    assert_int_equal(el_ok(own, EL_BODY, EL_SECRET, T0), 0);
}

static void h3_elevenlabs_forged_refused(void **state)
{
    (void)state;
    char sig[200], err[300], body[512];
    mock_webhook_sign(WH_AUTH_ELEVENLABS, "forged-" EL_SECRET, T0, EL_BODY, sig, sizeof sig);
    assert_int_equal(verify(&provider_elevenlabs, "ElevenLabs-Signature", sig, EL_BODY, EL_SECRET,
                            T0, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "does not match"));
    mock_webhook_sign(WH_AUTH_ELEVENLABS, EL_SECRET, T0, EL_BODY, sig, sizeof sig);
    size_t n = strlen(EL_BODY);
    for (size_t i = 0; i < n; i += 5) {
        snprintf(body, sizeof body, "%s", EL_BODY);
        body[i] ^= 0x20;
        if (el_ok(sig, body, EL_SECRET, T0) == 0)
            fail_msg("ElevenLabs: body changed at byte %zu accepted", i);
    }
    /* the timestamp is signed */
    char moved[200];
    snprintf(moved, sizeof moved, "t=%" PRId64 "%s", T0 / 1000 - 1, strstr(sig, ",v0="));
    assert_int_equal(el_ok(moved, EL_BODY, EL_SECRET, T0), -1);
    /* signed Retell's way with the right secret: still not ElevenLabs' */
    mock_webhook_sign(WH_AUTH_RETELL, EL_SECRET, T0, EL_BODY, sig, sizeof sig);
    assert_int_equal(el_ok(sig, EL_BODY, EL_SECRET, T0), -1);
}

static void h3_elevenlabs_malformed_or_missing_refused(void **state)
{
    (void)state;
    char sig[200], hex[65], bad[300], err[300];
    mock_webhook_sign(WH_AUTH_ELEVENLABS, EL_SECRET, T0, EL_BODY, sig, sizeof sig);
    snprintf(hex, sizeof hex, "%s", strstr(sig, ",v0=") + 4);
    char ts[32];
    snprintf(ts, sizeof ts, "%" PRId64, T0 / 1000);
    static const char *shapes[][2] = {
        {"t=", ",v1="}, /* unknown scheme */
        {"t=", ",d="},  /* Retell's key */
        {"v=", ",d="},  /* Retell's format */
        {"t=", ";v0="}, /* wrong separator */
        {"T=", ",V0="}, /* keys are lower case */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        snprintf(bad, sizeof bad, "%s%s%s%s", shapes[i][0], ts, shapes[i][1], hex);
        if (el_ok(bad, EL_BODY, EL_SECRET, T0) == 0)
            fail_msg("ElevenLabs: malformed header \"%s\" accepted", bad);
    }
    snprintf(bad, sizeof bad, "v0=%s,t=%s", hex, ts); /* parts swapped */
    assert_int_equal(el_ok(bad, EL_BODY, EL_SECRET, T0), -1);
    snprintf(bad, sizeof bad, "t=%s", ts); /* no digest */
    assert_int_equal(el_ok(bad, EL_BODY, EL_SECRET, T0), -1);
    snprintf(bad, sizeof bad, "t=%s,v0=", ts); /* empty digest */
    assert_int_equal(el_ok(bad, EL_BODY, EL_SECRET, T0), -1);
    snprintf(bad, sizeof bad, "v0=%s", hex); /* no timestamp */
    assert_int_equal(el_ok(bad, EL_BODY, EL_SECRET, T0), -1);
    snprintf(bad, sizeof bad, "t=,v0=%s", hex); /* empty timestamp */
    assert_int_equal(el_ok(bad, EL_BODY, EL_SECRET, T0), -1);
    assert_int_equal(el_ok(hex, EL_BODY, EL_SECRET, T0), -1); /* bare digest */
    assert_int_equal(el_ok("", EL_BODY, EL_SECRET, T0), -1);
    assert_int_equal(
        verify(&provider_elevenlabs, NULL, NULL, EL_BODY, EL_SECRET, T0, err, sizeof err), -1);
    assert_non_null(strstr(err, "no ElevenLabs-Signature"));
    assert_int_equal(verify(&provider_elevenlabs, "x-retell-signature", sig, EL_BODY, EL_SECRET, T0,
                            err, sizeof err),
                     -1);
}

/* Older than 30 minutes is refused; the SDK checks only age (§4.3). */
static void h3_elevenlabs_stale_refused(void **state)
{
    (void)state;
    char sig[200], err[300];
    int64_t t0 = (T0 / 1000) * 1000; /* a whole second: the header carries seconds */
    mock_webhook_sign(WH_AUTH_ELEVENLABS, EL_SECRET, t0, EL_BODY, sig, sizeof sig);
    assert_int_equal(el_ok(sig, EL_BODY, EL_SECRET, t0 + 30 * MIN_MS), 0);
    assert_int_equal(el_ok(sig, EL_BODY, EL_SECRET, t0 + 30 * MIN_MS + 999), 0);
    assert_int_equal(verify(&provider_elevenlabs, "ElevenLabs-Signature", sig, EL_BODY, EL_SECRET,
                            t0 + 30 * MIN_MS + 1000, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "old"));
    assert_int_equal(el_ok(sig, EL_BODY, EL_SECRET, t0 + 24 * 60 * MIN_MS), -1);
    /* a clock a little behind the provider's is no reason to refuse */
    assert_int_equal(el_ok(sig, EL_BODY, EL_SECRET, t0 - 10 * 1000), 0);
}

/* ---- Vapi verification (§4.1) ------------------------------------------- */

static int vapi(const char *name, const char *value, const char *secret)
{
    char err[300];
    return verify(&provider_vapi, name, value, BODY, secret, T0, err, sizeof err);
}

static void h3_vapi_bearer_or_secret_header(void **state)
{
    (void)state;
    assert_int_equal(vapi("Authorization", "Bearer " VAPI_SECRET, VAPI_SECRET), 0);
    assert_int_equal(vapi("authorization", "Bearer " VAPI_SECRET, VAPI_SECRET), 0);
    assert_int_equal(vapi("AUTHORIZATION", "Bearer " VAPI_SECRET, VAPI_SECRET), 0);
    assert_int_equal(vapi("X-Vapi-Secret", VAPI_SECRET, VAPI_SECRET), 0);
    assert_int_equal(vapi("x-vapi-secret", VAPI_SECRET, VAPI_SECRET), 0);
    assert_int_equal(vapi("X-VAPI-SECRET", VAPI_SECRET, VAPI_SECRET), 0);
    /* nothing is signed: any body and any time */
    char err[300];
    assert_int_equal(verify(&provider_vapi, "X-Vapi-Secret", VAPI_SECRET, "", VAPI_SECRET,
                            T0 + 24 * 60 * MIN_MS, err, sizeof err),
                     0);
}

static void h3_vapi_wrong_or_missing_refused(void **state)
{
    (void)state;
    char err[300];
    static const char *bad_bearer[] = {"Bearer wrong",
                                       "Bearer " VAPI_SECRET "x",
                                       "Bearer vapi-server-secret",
                                       "Bearer  " VAPI_SECRET,
                                       "Bearer ",
                                       "Bearer " VAPI_SECRET " "};
    for (size_t i = 0; i < sizeof bad_bearer / sizeof bad_bearer[0]; i++)
        if (vapi("Authorization", bad_bearer[i], VAPI_SECRET) == 0)
            fail_msg("Vapi: \"Authorization: %s\" accepted", bad_bearer[i]);
    assert_int_equal(vapi("X-Vapi-Secret", "wrong", VAPI_SECRET), -1);
    assert_int_equal(vapi("X-Vapi-Secret", "", VAPI_SECRET), -1);
    assert_int_equal(vapi("X-Vapi-Secret", "Bearer " VAPI_SECRET, VAPI_SECRET), -1);
    /* not a Bearer token: as good as missing */
    assert_int_equal(vapi("Authorization", VAPI_SECRET, VAPI_SECRET), -1);
    assert_int_equal(vapi("Authorization", "Basic " VAPI_SECRET, VAPI_SECRET), -1);
    assert_int_equal(verify(&provider_vapi, NULL, NULL, BODY, VAPI_SECRET, T0, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no Authorization"));
    assert_int_equal(vapi("X-Vapi-Signature", VAPI_SECRET, VAPI_SECRET), -1);
}

/* ---- no secret configured: nothing verifies ----------------------------- */

/* An agent without a secret must not accept webhooks signed with an empty
 * key or carrying an empty token (H-3: forged). */
static void h3_empty_secret_accepts_nothing(void **state)
{
    (void)state;
    char sig[200];
    mock_webhook_sign(WH_AUTH_RETELL, "", T0, BODY, sig, sizeof sig);
    assert_int_equal(retell_ok(sig, BODY, "", T0), -1);
    assert_int_equal(retell_ok(sig, BODY, NULL, T0), -1);
    mock_webhook_sign(WH_AUTH_ELEVENLABS, "", T0, EL_BODY, sig, sizeof sig);
    assert_int_equal(el_ok(sig, EL_BODY, "", T0), -1);
    assert_int_equal(el_ok(sig, EL_BODY, NULL, T0), -1);
    assert_int_equal(vapi("X-Vapi-Secret", "", ""), -1);
    assert_int_equal(vapi("Authorization", "Bearer ", ""), -1);
    assert_int_equal(vapi("Authorization", "Bearer x", NULL), -1);
}

/* The retry policy a webhooks object reads: the provider's default (Retell 3,
 * the others 0), 1 s apart, unless "retries" / "retry_after" say otherwise. */
static void h1_retry_policy_read(void **state)
{
    (void)state;
    struct mock_webhook_config c;
    json_t *empty = json_object();
    mock_webhook_config_read(&c, empty, WH_AUTH_RETELL, "k", 3);
    assert_int_equal(c.retries, 3);
    assert_int_equal(c.retry_after_ms, 1000);
    mock_webhook_config_read(&c, empty, WH_AUTH_BEARER, NULL, 0);
    assert_int_equal(c.retries, 0);
    json_t *set = json_pack("{s:i,s:f}", "retries", 5, "retry_after", 2.5);
    mock_webhook_config_read(&c, set, WH_AUTH_RETELL, "k", 3);
    assert_int_equal(c.retries, 5);
    assert_int_equal(c.retry_after_ms, 2500);
    mock_webhook_config_read(&c, NULL, WH_AUTH_RETELL, "k", 3); /* no webhooks: nothing sent */
    assert_false(c.enabled);
    json_decref(empty);
    json_decref(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(h1_retry_policy_read),
        cmocka_unit_test(h1_retell_sign_matches_openssl),
        cmocka_unit_test(h1_elevenlabs_sign_matches_openssl),
        cmocka_unit_test(h1_vapi_sign_is_the_secret),
        cmocka_unit_test(h3_retell_good_signature_accepted),
        cmocka_unit_test(h3_retell_header_name_any_case),
        cmocka_unit_test(h3_retell_forged_refused),
        cmocka_unit_test(h3_retell_malformed_or_missing_refused),
        cmocka_unit_test(h3_retell_stale_refused_both_ways),
        cmocka_unit_test(h3_elevenlabs_good_signature_accepted),
        cmocka_unit_test(h3_elevenlabs_forged_refused),
        cmocka_unit_test(h3_elevenlabs_malformed_or_missing_refused),
        cmocka_unit_test(h3_elevenlabs_stale_refused),
        cmocka_unit_test(h3_vapi_bearer_or_secret_header),
        cmocka_unit_test(h3_vapi_wrong_or_missing_refused),
        cmocka_unit_test(h3_empty_secret_accepts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

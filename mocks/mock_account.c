#include "mock_account.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str_block.h"

struct mock_account {
    struct mock_world *w;
    char provider[16];
    json_t *keys, *agents, *phone_numbers;
    double credits, call_cost;
    int concurrency_limit;
    int64_t dial_delay_ms, ring_timeout_ms;
    uint64_t rng;
    mock_call_change_fn on_change;
    void *ctx;
    /* every kept call, oldest first (first/last), indexed by id (tab, a
     * power of two of chains), and the ended ones oldest first (ended_head/
     * ended_tail, the order of eviction) */
    struct mock_call *first, *last;
    struct mock_call **tab;
    size_t tab_n, n_calls;
    struct mock_call *ended_head, *ended_tail;
    size_t n_live, n_ended, n_evicted, max_ended;
    json_t *initial;                    /* the settings at creation (mock_account_restore) */
    const char *const *request_members; /* mock_account_keep_request; NULL: the whole body */
    const char *ani_member;             /* kept only by a call without an ANI */
};

static void evict(struct mock_account *a, struct mock_call *c);

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* n lower-case hex digits of v at p; returns the end */
static char *hex_digits(char *p, uint64_t v, int n)
{
    /* two digits a step (a byte's pair from a table), then an odd one */
    static const char pairs[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                                "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    int i = n;
    for (; i >= 2; i -= 2, v >>= 8)
        memcpy(p + i - 2, pairs + 2 * (v & 0xff), 2);
    if (i)
        p[0] = "0123456789abcdef"[v & 15];
    return p + n;
}

/* A version-4 UUID from the account's generator: what
 * "%08x-%04x-4%03x-%04x-%012llx" prints, digit by digit (every call takes
 * two; printf's format walk cost more than the call's other fields). */
void mock_account_uuid(struct mock_account *a, char out[40])
{
    uint64_t x = splitmix(&a->rng), y = splitmix(&a->rng);
    char *p = hex_digits(out, x >> 32, 8);
    *p++ = '-';
    p = hex_digits(p, (x >> 16) & 0xffff, 4);
    *p++ = '-';
    *p++ = '4';
    p = hex_digits(p, x & 0xfff, 3);
    *p++ = '-';
    p = hex_digits(p, 0x8000 | ((y >> 48) & 0x3fff), 4);
    *p++ = '-';
    p = hex_digits(p, y & 0xffffffffffffULL, 12);
    *p = '\0';
}

int mock_account_create(struct mock_account **out, struct mock_world *w,
                        const struct mock_account_config *cfg, mock_call_change_fn on_change,
                        void *ctx)
{
    struct mock_account *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a)
        return -1;
    a->w = w;
    snprintf(a->provider, sizeof a->provider, "%s", cfg->provider ? cfg->provider : "");
    a->keys = cfg->keys ? json_deep_copy(cfg->keys) : json_array();
    a->agents = cfg->agents ? json_deep_copy(cfg->agents) : json_array();
    a->phone_numbers = cfg->phone_numbers ? json_deep_copy(cfg->phone_numbers) : json_array();
    a->credits = cfg->credits;
    a->call_cost = cfg->call_cost;
    a->concurrency_limit = cfg->concurrency_limit;
    a->dial_delay_ms = cfg->dial_delay_ms;
    a->ring_timeout_ms = cfg->ring_timeout_ms > 0 ? cfg->ring_timeout_ms : 60000;
    /* each provider draws its own ids from the scenario's seed */
    a->rng = cfg->seed;
    for (const char *p = a->provider; *p; p++)
        a->rng = a->rng * 131 + (unsigned char)*p;
    a->on_change = on_change;
    a->ctx = ctx;
    a->max_ended = cfg->max_ended_calls;
    if (!(a->initial = mock_account_settings(a))) {
        mock_account_destroy(a);
        return -1;
    }
    *out = a;
    return 0;
}

int mock_account_create_for(struct mock_account **out, struct mock_world *w, const char *provider,
                            const struct mock_provider_config *cfg, mock_call_change_fn on_change,
                            void *ctx)
{
    struct mock_account_config ac = {
        .provider = provider,
        .keys = cfg->keys,
        .agents = cfg->agents,
        .phone_numbers = cfg->phone_numbers,
        .credits = cfg->credits,
        .call_cost = cfg->call_cost,
        .concurrency_limit = cfg->concurrency_limit,
        .dial_delay_ms = cfg->dial_delay_ms,
        .ring_timeout_ms = cfg->ring_timeout_ms,
        .seed = cfg->seed,
        .max_ended_calls = cfg->max_ended_calls,
    };
    return mock_account_create(out, w, &ac, on_change, ctx);
}

static void call_free(struct mock_call *c)
{
    if (c->ext_free)
        c->ext_free(c->ext);
    free(c->ani); /* to, agent and phone_number_id live in c's block (new_call) */
    json_decref(c->request);
    free(c);
}

void mock_account_destroy(struct mock_account *a)
{
    if (!a)
        return;
    for (struct mock_call *c = a->first, *n; c; c = n) {
        n = c->next;
        call_free(c);
    }
    free(a->tab);
    json_decref(a->keys);
    json_decref(a->agents);
    json_decref(a->phone_numbers);
    json_decref(a->initial);
    free(a);
}

/* milliseconds as the seconds a scenario writes */
static json_t *secs(int64_t ms)
{
    return json_real((double)ms / 1000.0);
}

json_t *mock_account_settings(const struct mock_account *a)
{
    json_t *o =
        json_pack("{s:O,s:O,s:o,s:o,s:o,s:o}", "keys", a->keys, "agents", a->agents, "call_cost",
                  json_real(a->call_cost), "dial_delay", secs(a->dial_delay_ms), "ring_timeout",
                  secs(a->ring_timeout_ms), "active_calls", json_integer(a->n_live));
    json_object_set_new(o, "credits", a->credits < 0 ? json_null() : json_real(a->credits));
    json_object_set_new(o, "concurrency_limit",
                        a->concurrency_limit > 0 ? json_integer(a->concurrency_limit)
                                                 : json_null());
    return o;
}

void mock_account_apply(struct mock_account *a, const json_t *set)
{
    const json_t *v;
    if ((v = json_object_get(set, "keys"))) {
        json_decref(a->keys);
        a->keys = json_deep_copy(v);
    }
    if ((v = json_object_get(set, "credits")))
        a->credits = json_is_null(v) ? -1 : json_number_value(v);
    if ((v = json_object_get(set, "call_cost")))
        a->call_cost = json_number_value(v);
    if ((v = json_object_get(set, "concurrency_limit")))
        a->concurrency_limit = json_is_null(v) ? 0 : (int)json_integer_value(v);
    if ((v = json_object_get(set, "dial_delay")))
        a->dial_delay_ms = (int64_t)(json_number_value(v) * 1000.0 + 0.5);
    if ((v = json_object_get(set, "ring_timeout")))
        a->ring_timeout_ms = (int64_t)(json_number_value(v) * 1000.0 + 0.5);
}

void mock_account_restore(struct mock_account *a)
{
    mock_account_apply(a, a->initial);
}

const json_t *mock_account_config_numbers(const struct mock_account *a)
{
    return a->phone_numbers;
}

size_t mock_account_forget_ended(struct mock_account *a)
{
    size_t n = 0;
    while (a->ended_head) {
        struct mock_call *old = a->ended_head;
        a->ended_head = old->ended_next;
        a->n_ended--;
        a->n_evicted++;
        evict(a, old);
        n++;
    }
    a->ended_tail = NULL;
    return n;
}

enum mock_key_check mock_account_key(const struct mock_account *a, const char *key,
                                     const char *need)
{
    size_t i;
    json_t *k;
    if (!key)
        return MK_UNKNOWN;
    json_array_foreach(a->keys, i, k)
    {
        if (json_is_string(k)) {
            if (strcmp(json_string_value(k), key) == 0)
                return MK_OK;
            continue;
        }
        const char *kv = json_string_value(json_object_get(k, "key"));
        if (!kv || strcmp(kv, key) != 0)
            continue;
        json_t *perms = json_object_get(k, "permissions");
        if (!need || !perms)
            return MK_OK;
        size_t j;
        json_t *p;
        json_array_foreach(perms, j, p) if (json_is_string(p) &&
                                            strcmp(json_string_value(p), need) == 0) return MK_OK;
        return MK_NO_PERMISSION;
    }
    return MK_UNKNOWN;
}

bool mock_account_has_agent(const struct mock_account *a, const char *id)
{
    size_t i;
    json_t *x;
    if (!id)
        return false;
    json_array_foreach(a->agents, i, x) if (json_is_string(x) &&
                                            strcmp(json_string_value(x), id) == 0) return true;
    return false;
}

void mock_account_set_agent(struct mock_account *a, const char *id, bool exists)
{
    size_t i;
    json_t *x;
    json_array_foreach(a->agents, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), id))
    {
        if (!exists)
            json_array_remove(a->agents, i);
        return;
    }
    if (exists)
        json_array_append_new(a->agents, json_string(id));
}

const char *mock_account_number(const struct mock_account *a, const char *phone_number_id)
{
    size_t i;
    json_t *x;
    if (!phone_number_id)
        return NULL;
    json_array_foreach(a->phone_numbers, i, x)
    {
        const char *pid = json_string_value(json_object_get(x, "id"));
        if (pid && strcmp(pid, phone_number_id) == 0)
            return json_string_value(json_object_get(x, "number"));
    }
    return NULL;
}

bool mock_account_owns_number(const struct mock_account *a, const char *number)
{
    size_t i;
    json_t *x;
    if (!number)
        return false;
    json_array_foreach(a->phone_numbers, i, x)
    {
        const char *n = json_string_value(json_object_get(x, "number"));
        if (n && strcmp(n, number) == 0)
            return true;
    }
    return false;
}

int mock_account_active(const struct mock_account *a)
{
    return (int)a->n_live;
}

void mock_account_get_stats(const struct mock_account *a, struct mock_account_stats *out)
{
    out->live = a->n_live;
    out->ended = a->n_ended;
    out->evicted = a->n_evicted;
    out->max_ended = a->max_ended;
}

/* ---- the calls kept: id index, order, eviction ---- */

/* An id's chain: eight bytes a step, each multiplied in and its high bits
 * folded down (the index takes the low ones); the last few one by one
 * (FNV-1a's step). Where a call sits in the index is seen nowhere: the
 * calls' order is the list's. */
static size_t id_hash(const char *id)
{
    size_t n = strlen(id);
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
    for (; n >= 8; n -= 8, id += 8) {
        memcpy(&w, id, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    for (; n; n--, id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

/* Doubles the index when it holds as many calls as chains. */
static int index_grow(struct mock_account *a)
{
    if (a->n_calls < a->tab_n)
        return 0;
    size_t n = a->tab_n ? a->tab_n * 2 : 64;
    struct mock_call **t = calloc(n, sizeof *t);
    if (!t)
        return -1;
    for (struct mock_call *c = a->first; c; c = c->next) {
        size_t b = id_hash(c->id) & (n - 1);
        c->hnext = t[b];
        t[b] = c;
    }
    free(a->tab);
    a->tab = t;
    a->tab_n = n;
    return 0;
}

static void keep_call(struct mock_account *a, struct mock_call *c)
{
    size_t b = id_hash(c->id) & (a->tab_n - 1);
    c->hnext = a->tab[b];
    a->tab[b] = c;
    c->prev = a->last;
    if (a->last)
        a->last->next = c;
    else
        a->first = c;
    a->last = c;
    a->n_calls++;
    a->n_live++;
}

static void evict(struct mock_account *a, struct mock_call *c)
{
    struct mock_call **pp = &a->tab[id_hash(c->id) & (a->tab_n - 1)];
    while (*pp != c)
        pp = &(*pp)->hnext;
    *pp = c->hnext;
    if (c->prev)
        c->prev->next = c->next;
    else
        a->first = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        a->last = c->prev;
    a->n_calls--;
    call_free(c);
}

/* c has just ended: count it, and let go of the oldest ended calls beyond
 * the bound. c is the newest ended call, so a bound of 1 or more keeps it
 * (the caller still renders it). */
static void call_ended(struct mock_account *a, struct mock_call *c)
{
    c->ended_next = NULL;
    if (a->ended_tail)
        a->ended_tail->ended_next = c;
    else
        a->ended_head = c;
    a->ended_tail = c;
    a->n_live--;
    a->n_ended++;
    while (a->max_ended && a->n_ended > a->max_ended) {
        struct mock_call *old = a->ended_head;
        a->ended_head = old->ended_next;
        a->n_ended--;
        a->n_evicted++;
        evict(a, old);
    }
}

int mock_account_concurrency_limit(const struct mock_account *a)
{
    return a->concurrency_limit;
}

double mock_account_credits(const struct mock_account *a)
{
    return a->credits;
}

bool mock_account_can_pay(const struct mock_account *a)
{
    return a->credits < 0 || a->credits + 1e-9 >= a->call_cost;
}

struct mock_world *mock_account_world(const struct mock_account *a)
{
    return a->w;
}

double mock_call_duration_s(const struct mock_call *c)
{
    if (!c->answered_at || !c->ended_at)
        return 0;
    return (double)(c->ended_at - c->answered_at) / 1000.0;
}

static void changed(struct mock_call *c)
{
    if (c->acct->on_change)
        c->acct->on_change(c->acct->ctx, c);
}

/* ---- the call's life on the PSTN (clock thread; takes the world's mutex) ---- */

static void obs_ringing(void *arg)
{
    struct mock_call *c = arg;
    mock_world_lock(c->acct->w);
    c->state = MC_RINGING;
    c->ringing_at = ds_now(&c->acct->w->clock);
    changed(c);
    pthread_mutex_unlock(&c->acct->w->mu);
}

static void obs_answered(void *arg)
{
    struct mock_call *c = arg;
    mock_world_lock(c->acct->w);
    c->state = MC_IN_PROGRESS;
    c->answered_at = ds_now(&c->acct->w->clock);
    changed(c);
    pthread_mutex_unlock(&c->acct->w->mu);
}

static void obs_ended(void *arg, enum pstn_end how)
{
    struct mock_call *c = arg;
    mock_world_lock(c->acct->w);
    c->state = MC_ENDED;
    c->ended_at = ds_now(&c->acct->w->clock);
    call_ended(c->acct, c);
    static const enum mock_call_end from_pstn[] = {
        [PSTN_END_COMPLETED] = MC_END_COMPLETED, [PSTN_END_NO_ANSWER] = MC_END_NO_ANSWER,
        [PSTN_END_BUSY] = MC_END_BUSY,           [PSTN_END_FAILED] = MC_END_FAILED,
        [PSTN_END_DECLINED] = MC_END_DECLINED,   [PSTN_END_INVALID] = MC_END_INVALID,
        [PSTN_END_VOICEMAIL] = MC_END_VOICEMAIL,
    };
    c->end = (unsigned)how < sizeof from_pstn / sizeof *from_pstn ? from_pstn[how] : MC_END_FAILED;
    changed(c);
    pthread_mutex_unlock(&c->acct->w->mu);
}

/* Runs on the clock's thread without the mutex: the PSTN calls into the core. */
static void ev_dial(void *arg)
{
    struct mock_call *c = arg;
    struct pstn_observer obs = {obs_ringing, obs_answered, obs_ended, c};
    pstn_place_call(c->acct->w->pstn, c->ani, c->to, c->acct->ring_timeout_ms, obs);
}

/* What a call keeps of its create request: the members the provider reads
 * later (mock_account_keep_request), in an object of their own, or NULL
 * when it has none of them. The body's other nodes go with the request, on
 * its own thread while they are in its cache: a call evicted 1,000 calls
 * later frees the few it kept, not a whole tree the cache has long let go
 * of (decisions.md#call-request). Without a list, the whole body. */
static json_t *kept_request(const struct mock_account *a, const json_t *request, const char *ani)
{
    if (!a->request_members) /* nobody changes a request body: shared */
        return request ? json_incref((json_t *)request) : json_object();
    json_t *kept = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)request, k, v)
    {
        if (ani && *ani && a->ani_member && !strcmp(k, a->ani_member))
            continue; /* the call's ANI says it */
        for (const char *const *m = a->request_members; *m; m++) {
            if (strcmp(k, *m) != 0)
                continue;
            if (!kept)
                kept = json_object();
            json_object_set_nocheck(kept, k, v);
            break;
        }
    }
    return kept;
}

void mock_account_keep_request(struct mock_account *a, const char *const *members,
                               const char *ani_member)
{
    a->request_members = members;
    a->ani_member = ani_member;
}

static struct mock_call *new_call(struct mock_account *a, const char *ani, const char *to,
                                  const char *agent, const char *pnid, const json_t *request)
{
    if (index_grow(a) != 0)
        return NULL;
    /* to, agent and phone_number_id in the call's own block (one allocation,
     * not four); the ANI apart, as a module may change it (mock_retell.c) */
    static const size_t at[3] = {offsetof(struct mock_call, to), offsetof(struct mock_call, agent),
                                 offsetof(struct mock_call, phone_number_id)};
    struct mock_call *c = str_block_new(
        sizeof *c, 3, (const char *[]){to ? to : "", agent ? agent : "", pnid ? pnid : ""}, at);
    if (!c)
        return NULL;
    c->acct = a;
    mock_account_uuid(a, c->id);
    char sid[40];
    mock_account_uuid(a, sid);
    /* Twilio CallSids are "CA" + 32 hex digits: the UUID's, without its
     * dashes (8-4-4-4-12) */
    char *q = c->sid;
    *q++ = 'C';
    *q++ = 'A';
    static const unsigned char from[5] = {0, 9, 14, 19, 24}, len[5] = {8, 4, 4, 4, 12};
    for (int i = 0; i < 5; i++) {
        memcpy(q, sid + from[i], len[i]);
        q += len[i];
    }
    *q = '\0';
    c->ani = strdup(ani ? ani : "");
    c->request = kept_request(a, request, ani);
    c->created_at = ds_now(&a->w->clock);
    c->state = MC_QUEUED;
    keep_call(a, c);
    return c;
}

struct mock_call *mock_account_place(struct mock_account *a, const char *ani, const char *to,
                                     const char *agent, const char *phone_number_id,
                                     const json_t *request)
{
    struct mock_call *c = new_call(a, ani, to, agent, phone_number_id, request);
    if (!c)
        return NULL;
    /* never below 0: a rounding residue (0.3 - 3 x 0.1) would read as "unlimited" */
    if (a->credits >= 0)
        a->credits = a->credits > a->call_cost ? a->credits - a->call_cost : 0;
    a->w->clock.ops->schedule(a->w->clock.ctx, c->created_at + a->dial_delay_ms, ev_dial, c);
    return c;
}

struct mock_call *mock_account_refuse(struct mock_account *a, const char *to, const char *agent,
                                      const char *phone_number_id, const json_t *request,
                                      enum mock_call_end end)
{
    struct mock_call *c = new_call(a, "", to, agent, phone_number_id, request);
    if (!c)
        return NULL;
    c->state = MC_ENDED;
    c->end = end;
    c->ended_at = c->created_at;
    call_ended(a, c);
    changed(c);
    return c;
}

struct mock_call *mock_account_oldest(const struct mock_account *a)
{
    return a->first;
}

struct mock_call *mock_account_newest(const struct mock_account *a)
{
    return a->last;
}

struct mock_call *mock_account_call(const struct mock_account *a, const char *id)
{
    if (!a->tab_n || !id)
        return NULL;
    for (struct mock_call *c = a->tab[id_hash(id) & (a->tab_n - 1)]; c; c = c->hnext)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}

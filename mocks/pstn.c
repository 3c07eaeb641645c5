#include "pstn.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pstn_outcomes.h"
#include "util/str_block.h"

struct call_rec {
    struct pstn_call pub;
    struct pstn *p;
    struct pstn_observer obs;
    uint64_t token;
    bool core_answered;      /* the core's line took it: the hang-up is the core's */
    int64_t ring_timeout_ms; /* the caller's */
    struct call_rec *prev, *next; /* kept calls, oldest first */
    struct call_rec *ended_next;  /* ended calls, oldest first */
};

struct pstn {
    struct ds_clock clock;
    struct pstn_config cfg;
    const struct pstn_line_ops *core_ops;
    void *core_ctx;
    struct pstn_listener listener;
    struct pstn_outcomes *outcomes;
    char **lines;
    size_t n_lines;
    struct call_rec *first, *last;
    struct call_rec *ended_head, *ended_tail;
    size_t n_calls, n_ended, n_evicted;
};

static const char *end_names[] = {"completed", "no-answer", "busy",     "failed",
                                  "declined",  "invalid",   "voicemail"};

const char *pstn_end_name(enum pstn_end e)
{
    return (unsigned)e <= PSTN_END_VOICEMAIL ? end_names[e] : "?";
}

static char *dup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

int pstn_create(struct pstn **out, struct ds_clock clock, const struct pstn_config *cfg)
{
    struct pstn *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return -1;
    p->clock = clock;
    p->cfg = *cfg;
    p->cfg.outcomes = NULL;
    p->cfg.faults = calloc(cfg->n_faults ? cfg->n_faults : 1, sizeof *p->cfg.faults);
    if (!p->cfg.faults || pstn_outcomes_create(&p->outcomes) != 0 ||
        pstn_outcomes_set(p->outcomes, cfg->outcomes) != 0) {
        pstn_outcomes_destroy(p->outcomes);
        free(p->cfg.faults);
        free(p);
        return -1;
    }
    for (size_t i = 0; i < cfg->n_faults; i++) {
        p->cfg.faults[i].to = dup0(cfg->faults[i].to);
        p->cfg.faults[i].ani = dup0(cfg->faults[i].ani);
        p->cfg.faults[i].misdial = dup0(cfg->faults[i].misdial);
        p->cfg.faults[i].busy = cfg->faults[i].busy;
        p->cfg.faults[i].fail = cfg->faults[i].fail;
        p->cfg.faults[i].declined = cfg->faults[i].declined;
        p->cfg.faults[i].invalid = cfg->faults[i].invalid;
        p->cfg.faults[i].voicemail = cfg->faults[i].voicemail;
    }
    *out = p;
    return 0;
}

/* A call's record with its four numbers in the same block (one allocation
 * a call, not five: rec_free frees it whole); a NULL number stays NULL. */
static struct call_rec *rec_new(const char *from, const char *to, const char *dfrom,
                                const char *dto)
{
    static const size_t at[4] = {
        offsetof(struct call_rec, pub.from), offsetof(struct call_rec, pub.to),
        offsetof(struct call_rec, pub.delivered_from), offsetof(struct call_rec, pub.delivered_to)};
    return str_block_new(sizeof(struct call_rec), 4, (const char *[]){from, to, dfrom, dto}, at);
}

static void rec_free(struct call_rec *c)
{
    free(c);
}

void pstn_destroy(struct pstn *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->cfg.n_faults; i++) {
        free(p->cfg.faults[i].to);
        free(p->cfg.faults[i].ani);
        free(p->cfg.faults[i].misdial);
    }
    free(p->cfg.faults);
    pstn_outcomes_destroy(p->outcomes);
    for (size_t i = 0; i < p->n_lines; i++)
        free(p->lines[i]);
    free(p->lines);
    for (struct call_rec *c = p->first, *n; c; c = n) {
        n = c->next;
        rec_free(c);
    }
    free(p);
}

void pstn_set_core(struct pstn *p, const struct pstn_line_ops *ops, void *ctx)
{
    p->core_ops = ops;
    p->core_ctx = ctx;
}

static bool is_core_line(const struct pstn *p, const char *n)
{
    for (size_t i = 0; i < p->n_lines; i++)
        if (strcmp(p->lines[i], n) == 0)
            return true;
    return false;
}

int pstn_add_line(struct pstn *p, const char *number)
{
    if (is_core_line(p, number))
        return 0;
    char **nl = realloc(p->lines, (p->n_lines + 1) * sizeof *nl);
    if (!nl)
        return -1;
    p->lines = nl;
    p->lines[p->n_lines] = strdup(number);
    if (!p->lines[p->n_lines])
        return -1;
    p->n_lines++;
    return 0;
}

/* Let go of the oldest ended calls beyond the bound. An ended call has no
 * event left and its observer was told: nothing points at it any more. c
 * (just ended, the newest) stays with any bound of 1 or more. */
static void evict_ended(struct pstn *p)
{
    while (p->cfg.max_ended_calls && p->n_ended > p->cfg.max_ended_calls) {
        struct call_rec *old = p->ended_head;
        p->ended_head = old->ended_next;
        if (!p->ended_head)
            p->ended_tail = NULL;
        p->n_ended--;
        if (old->prev)
            old->prev->next = old->next;
        else
            p->first = old->next;
        if (old->next)
            old->next->prev = old->prev;
        else
            p->last = old->prev;
        p->n_calls--;
        p->n_evicted++;
        rec_free(old);
    }
}

static void end_call(struct call_rec *c, enum pstn_end how)
{
    if (c->pub.ended)
        return;
    struct pstn *p = c->p;
    c->pub.ended = true;
    c->pub.how = how;
    c->pub.ended_at = ds_now(&p->clock);
    if (c->obs.ended)
        c->obs.ended(c->obs.arg, how);
    if (p->listener.call_ended)
        p->listener.call_ended(p->listener.ctx, &c->pub);
    if (p->ended_tail)
        p->ended_tail->ended_next = c;
    else
        p->ended_head = c;
    p->ended_tail = c;
    p->n_ended++;
    evict_ended(p);
}

void pstn_set_listener(struct pstn *p, struct pstn_listener l)
{
    p->listener = l;
}

static void ev_ring_out(void *arg)
{
    end_call(arg, PSTN_END_NO_ANSWER);
}

static void ev_busy(void *arg)
{
    end_call(arg, PSTN_END_BUSY);
}

static void ev_fail(void *arg)
{
    end_call(arg, PSTN_END_FAILED);
}

static void ev_hangup(void *arg)
{
    struct call_rec *c = arg;
    if (c->p->core_ops && c->core_answered)
        c->p->core_ops->hangup(c->p->core_ctx, c->token);
    end_call(c, PSTN_END_COMPLETED);
}

static void ev_declined(void *arg)
{
    end_call(arg, PSTN_END_DECLINED);
}

static void ev_invalid(void *arg)
{
    end_call(arg, PSTN_END_INVALID);
}

static void ev_voicemail_done(void *arg)
{
    end_call(arg, PSTN_END_VOICEMAIL);
}

/* A voicemail box picks up: the provider sees the call connected (not by
 * the line: the core is not told), then it ends after call_duration. */
static void ev_voicemail(void *arg)
{
    struct call_rec *c = arg;
    if (c->obs.answered)
        c->obs.answered(c->obs.arg);
    c->p->clock.ops->schedule(c->p->clock.ctx, ds_now(&c->p->clock) + c->p->cfg.call_duration_ms,
                              ev_voicemail_done, c);
}

static void answered_now(struct call_rec *c, int64_t now)
{
    c->pub.answered = true;
    c->pub.answered_at = now;
    if (c->obs.answered)
        c->obs.answered(c->obs.arg);
    c->p->clock.ops->schedule(c->p->clock.ctx, now + c->p->cfg.call_duration_ms, ev_hangup, c);
}

/* An "answer" outcome, after its ring: a line of the core is offered the
 * call (the core may refuse it: AO-3, then it rings out); any other number
 * picks up. */
static void ev_answer(void *arg)
{
    struct call_rec *c = arg;
    struct pstn *p = c->p;
    int64_t now = ds_now(&p->clock);
    if (is_core_line(p, c->pub.delivered_to) && p->core_ops) {
        c->core_answered =
            p->core_ops->offer(p->core_ctx, c->pub.delivered_from, c->pub.delivered_to, &c->token);
        if (!c->core_answered) {
            p->clock.ops->schedule(p->clock.ctx, c->pub.placed_at + c->ring_timeout_ms,
                                   ev_ring_out, c);
            return;
        }
    }
    answered_now(c, now);
}

/* What an outcome set for the number (pstn_outcomes.h) does; false: none set. */
static bool by_outcome(struct call_rec *c, enum pstn_outcome_kind oc, int64_t ring_ms)
{
    struct pstn *p = c->p;
    int64_t now = c->pub.placed_at;
    void (*at_once)(void *) = oc == PO_FAIL      ? ev_fail
                              : oc == PO_BUSY    ? ev_busy
                              : oc == PO_DECLINE ? ev_declined
                                                 : NULL;
    if (oc == PO_NONE)
        return false;
    if (at_once) {
        ds_run_now(&p->clock, at_once, c);
        return true;
    }
    if (c->obs.ringing)
        c->obs.ringing(c->obs.arg);
    int64_t ring = ring_ms > 0 ? ring_ms : 0;
    if (oc == PO_NO_ANSWER || ring >= c->ring_timeout_ms) /* the caller gives up first */
        p->clock.ops->schedule(p->clock.ctx, now + c->ring_timeout_ms, ev_ring_out, c);
    else
        p->clock.ops->schedule(p->clock.ctx, now + ring,
                               oc == PO_VOICEMAIL ? ev_voicemail : ev_answer, c);
    return true;
}

struct pstn_outcomes *pstn_outcomes_of(struct pstn *p)
{
    return p->outcomes;
}

int pstn_place_call(struct pstn *p, const char *from, const char *to, int64_t ring_timeout_ms,
                    struct pstn_observer obs)
{
    const char *dfrom = from ? from : "", *dto = to;
    bool busy = false, fail = false, declined = false, invalid = false, voicemail = false;
    for (size_t i = 0; i < p->cfg.n_faults; i++) {
        const struct pstn_fault *f = &p->cfg.faults[i];
        if (strcmp(f->to, to) != 0)
            continue;
        if (f->ani)
            dfrom = f->ani;
        if (f->misdial)
            dto = f->misdial;
        busy = busy || f->busy;
        fail = fail || f->fail;
        declined = declined || f->declined;
        invalid = invalid || f->invalid;
        voicemail = voicemail || f->voicemail;
    }
    struct call_rec *c = rec_new(from ? from : "", to, dfrom, dto);
    if (!c)
        return -1;
    c->prev = p->last;
    if (p->last)
        p->last->next = c;
    else
        p->first = c;
    p->last = c;
    p->n_calls++;
    c->p = p;
    c->obs = obs;
    int64_t now = ds_now(&p->clock);
    c->pub.placed_at = now;
    dfrom = c->pub.delivered_from;
    dto = c->pub.delivered_to;
    c->ring_timeout_ms = ring_timeout_ms;
    int64_t ring_ms; /* set by take: read after it (arguments are unsequenced) */
    enum pstn_outcome_kind oc = pstn_outcomes_take(p->outcomes, to, &ring_ms);
    if (by_outcome(c, oc, ring_ms))
        return 0;
    /* the carrier's verdicts first, strongest first: no connection at all,
     * no such number, the line busy, the far side declining */
    void (*at_once)(void *) = fail       ? ev_fail
                              : invalid  ? ev_invalid
                              : busy     ? ev_busy
                              : declined ? ev_declined
                                         : NULL;
    if (at_once) {
        ds_run_now(&p->clock, at_once, c);
        return 0;
    }
    if (obs.ringing)
        obs.ringing(obs.arg);
    if (voicemail) { /* forwarded straight to voicemail: the line never rings */
        ds_run_now(&p->clock, ev_voicemail, c);
        return 0;
    }
    bool answered = false;
    if (is_core_line(p, dto) && p->core_ops)
        answered = p->core_ops->offer(p->core_ctx, dfrom, dto, &c->token);
    c->core_answered = answered;
    if (answered) {
        answered_now(c, now);
    } else if (p->cfg.silence_as_busy) {
        ds_run_now(&p->clock, ev_busy, c);
    } else if (p->cfg.silence_to_voicemail && p->cfg.voicemail_after_ms < ring_timeout_ms) {
        /* voicemail picks up before the caller gives up */
        p->clock.ops->schedule(p->clock.ctx, now + p->cfg.voicemail_after_ms, ev_voicemail, c);
    } else {
        p->clock.ops->schedule(p->clock.ctx, now + ring_timeout_ms, ev_ring_out, c);
    }
    return 0;
}

size_t pstn_call_count(const struct pstn *p)
{
    return p->n_calls;
}

const struct pstn_call *pstn_call_at(const struct pstn *p, size_t i)
{
    struct call_rec *c = p->first;
    while (c && i--)
        c = c->next;
    return c ? &c->pub : NULL;
}

size_t pstn_calls_evicted(const struct pstn *p)
{
    return p->n_evicted;
}

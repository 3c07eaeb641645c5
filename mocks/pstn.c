#include "pstn.h"

#include <stdlib.h>
#include <string.h>

struct call_rec {
    struct pstn_call pub;
    struct pstn *p;
    struct pstn_observer obs;
    uint64_t token;
};

struct pstn {
    struct ds_clock clock;
    struct pstn_config cfg;
    const struct pstn_line_ops *core_ops;
    void *core_ctx;
    struct pstn_listener listener;
    char **lines;
    size_t n_lines;
    struct call_rec **calls;
    size_t n_calls;
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
    p->cfg.faults = calloc(cfg->n_faults ? cfg->n_faults : 1, sizeof *p->cfg.faults);
    if (!p->cfg.faults) {
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
    for (size_t i = 0; i < p->n_lines; i++)
        free(p->lines[i]);
    free(p->lines);
    for (size_t i = 0; i < p->n_calls; i++) {
        struct pstn_call *c = &p->calls[i]->pub;
        free(c->from);
        free(c->to);
        free(c->delivered_from);
        free(c->delivered_to);
        free(p->calls[i]);
    }
    free(p->calls);
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

static void end_call(struct call_rec *c, enum pstn_end how)
{
    if (c->pub.ended)
        return;
    c->pub.ended = true;
    c->pub.how = how;
    c->pub.ended_at = ds_now(&c->p->clock);
    if (c->obs.ended)
        c->obs.ended(c->obs.arg, how);
    if (c->p->listener.call_ended)
        c->p->listener.call_ended(c->p->listener.ctx, &c->pub);
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
    if (c->p->core_ops)
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

int pstn_place_call(struct pstn *p, const char *from, const char *to, int64_t ring_timeout_ms,
                    struct pstn_observer obs)
{
    struct call_rec **nv = realloc(p->calls, (p->n_calls + 1) * sizeof *nv);
    if (!nv)
        return -1;
    p->calls = nv;
    struct call_rec *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    p->calls[p->n_calls++] = c;
    c->p = p;
    c->obs = obs;
    int64_t now = ds_now(&p->clock);
    c->pub.from = dup0(from ? from : "");
    c->pub.to = dup0(to);
    c->pub.placed_at = now;
    const char *dfrom = c->pub.from, *dto = to;
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
    c->pub.delivered_from = dup0(dfrom);
    c->pub.delivered_to = dup0(dto);
    /* the carrier's verdicts first, strongest first: no connection at all,
     * no such number, the line busy, the far side declining */
    void (*at_once)(void *) = fail       ? ev_fail
                              : invalid  ? ev_invalid
                              : busy     ? ev_busy
                              : declined ? ev_declined
                                         : NULL;
    if (at_once) {
        p->clock.ops->schedule(p->clock.ctx, now, at_once, c);
        return 0;
    }
    if (obs.ringing)
        obs.ringing(obs.arg);
    if (voicemail) { /* forwarded straight to voicemail: the line never rings */
        p->clock.ops->schedule(p->clock.ctx, now, ev_voicemail, c);
        return 0;
    }
    bool answered = false;
    if (is_core_line(p, dto) && p->core_ops)
        answered = p->core_ops->offer(p->core_ctx, dfrom, dto, &c->token);
    if (answered) {
        c->pub.answered = true;
        c->pub.answered_at = now;
        if (obs.answered)
            obs.answered(obs.arg);
        p->clock.ops->schedule(p->clock.ctx, now + p->cfg.call_duration_ms, ev_hangup, c);
    } else if (p->cfg.silence_as_busy) {
        p->clock.ops->schedule(p->clock.ctx, now, ev_busy, c);
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
    return i < p->n_calls ? &p->calls[i]->pub : NULL;
}

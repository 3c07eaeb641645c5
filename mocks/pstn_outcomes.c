/* pstn_outcomes.h: outcomes set per number, latest first. */
#include "pstn_outcomes.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct outcome {
    char *to;
    enum pstn_outcome_kind kind;
    int64_t ring_ms; /* -1: none */
    long left;       /* calls left; 0: every call */
    struct outcome *next;
};

struct pstn_outcomes {
    pthread_mutex_t mu;
    struct outcome *head; /* latest first */
};

static const char *const names[] = {"", "answer", "busy", "no-answer", "fail", "voicemail",
                                    "decline"};

int pstn_outcomes_create(struct pstn_outcomes **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return -1;
    pthread_mutex_init(&(*out)->mu, NULL);
    return 0;
}

static void free_list(struct outcome *x)
{
    while (x) {
        struct outcome *n = x->next;
        free(x->to);
        free(x);
        x = n;
    }
}

void pstn_outcomes_destroy(struct pstn_outcomes *o)
{
    if (!o)
        return;
    free_list(o->head);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

static struct outcome *from_json(const json_t *j)
{
    struct outcome *x = calloc(1, sizeof *x);
    const char *to = json_string_value(json_object_get(j, "to"));
    const char *kind = json_string_value(json_object_get(j, "outcome"));
    if (!x || !to || !kind || !(x->to = strdup(to))) {
        free(x);
        return NULL;
    }
    for (int k = PO_ANSWER; k <= PO_DECLINE; k++)
        if (!strcmp(kind, names[k]))
            x->kind = (enum pstn_outcome_kind)k;
    const json_t *ring = json_object_get(j, "ring");
    x->ring_ms = ring ? (int64_t)llround(json_number_value(ring) * 1000.0) : -1;
    x->left = (long)json_integer_value(json_object_get(j, "times"));
    return x;
}

int pstn_outcomes_add(struct pstn_outcomes *o, const json_t *outcome)
{
    struct outcome *x = from_json(outcome);
    if (!x)
        return -1;
    pthread_mutex_lock(&o->mu);
    x->next = o->head;
    o->head = x;
    pthread_mutex_unlock(&o->mu);
    return 0;
}

int pstn_outcomes_set(struct pstn_outcomes *o, const json_t *outcomes)
{
    /* built aside, swapped in whole: nothing half-set on a failed malloc;
     * the array's last item is the latest set */
    struct outcome *head = NULL;
    size_t i;
    const json_t *j;
    json_array_foreach(outcomes, i, j)
    {
        struct outcome *x = from_json(j);
        if (!x) {
            free_list(head);
            return -1;
        }
        x->next = head;
        head = x;
    }
    pthread_mutex_lock(&o->mu);
    struct outcome *old = o->head;
    o->head = head;
    pthread_mutex_unlock(&o->mu);
    free_list(old);
    return 0;
}

size_t pstn_outcomes_clear(struct pstn_outcomes *o)
{
    pthread_mutex_lock(&o->mu);
    struct outcome *old = o->head;
    o->head = NULL;
    pthread_mutex_unlock(&o->mu);
    size_t n = 0;
    for (struct outcome *x = old; x; x = x->next)
        n++;
    free_list(old);
    return n;
}

json_t *pstn_outcomes_json(struct pstn_outcomes *o)
{
    json_t *a = json_array();
    pthread_mutex_lock(&o->mu);
    for (struct outcome *x = o->head; x; x = x->next) {
        json_t *j = json_pack("{s:s,s:s}", "to", x->to, "outcome", names[x->kind]);
        if (x->ring_ms >= 0)
            json_object_set_new(j, "ring", json_real((double)x->ring_ms / 1000.0));
        if (x->left)
            json_object_set_new(j, "times", json_integer(x->left));
        json_array_append_new(a, j);
    }
    pthread_mutex_unlock(&o->mu);
    return a;
}

enum pstn_outcome_kind pstn_outcomes_take(struct pstn_outcomes *o, const char *to,
                                          int64_t *ring_ms)
{
    *ring_ms = -1;
    if (!o || !to)
        return PO_NONE;
    enum pstn_outcome_kind k = PO_NONE;
    pthread_mutex_lock(&o->mu);
    for (struct outcome **pp = &o->head; *pp; pp = &(*pp)->next) {
        struct outcome *x = *pp;
        if (strcmp(x->to, to) != 0)
            continue;
        k = x->kind;
        *ring_ms = x->ring_ms;
        if (x->left && --x->left == 0) { /* its last call: gone */
            *pp = x->next;
            free(x->to);
            free(x);
        }
        break;
    }
    pthread_mutex_unlock(&o->mu);
    return k;
}

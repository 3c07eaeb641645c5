#include "core/reason.h"

#include <string.h>

#define DS_RUN_NONE_ DS_RUN_NONE
static const struct {
    const char *name;
    enum ds_run_status status;
    const char *rule;
    const char *sentence;
} reasons[] = {
#define X(code, name, status, rule, sentence) {name, DS_RUN_##status, rule, sentence},
    DS_REASON_MAP(X)
#undef X
};

const char *reason_name(enum ds_reason r)
{
    return (unsigned)r < DS_REASON__COUNT ? reasons[r].name : "?";
}
const char *reason_sentence(enum ds_reason r)
{
    return (unsigned)r < DS_REASON__COUNT ? reasons[r].sentence : "?";
}
const char *reason_rule(enum ds_reason r)
{
    return (unsigned)r < DS_REASON__COUNT ? reasons[r].rule : "?";
}
enum ds_run_status reason_status(enum ds_reason r)
{
    return (unsigned)r < DS_REASON__COUNT ? reasons[r].status : DS_RUN_NONE;
}
int reason_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 1; i < DS_REASON__COUNT; i++)
        if (strcmp(reasons[i].name, name) == 0)
            return i;
    return -1;
}

static const char *status_names[] = {"",          "pending", "in_progress",
                                     "completed", "failed",  "timeout"};

const char *run_status_name(enum ds_run_status s)
{
    return (unsigned)s <= DS_RUN_TIMEOUT ? status_names[s] : "?";
}
int run_status_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 1; i <= DS_RUN_TIMEOUT; i++)
        if (strcmp(status_names[i], name) == 0)
            return i;
    return -1;
}

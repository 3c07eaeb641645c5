/* catalogue_store.h: objects by collection and id, in creation order. A
 * jansson object per collection ({"ids": [...], "items": {id: {"f": fields,
 * "t": ms}}}): lookups hash, the order is the ids array. */
#include "catalogue_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cat_store {
    json_t *cols; /* collection -> {"ids", "items"} */
    uint64_t next;
    size_t count;
};

int cat_store_create(struct cat_store **out)
{
    struct cat_store *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s || !(s->cols = json_object())) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void cat_store_destroy(struct cat_store *s)
{
    if (!s)
        return;
    json_decref(s->cols);
    free(s);
}

static json_t *col(struct cat_store *s, const char *collection, int make)
{
    json_t *c = json_object_get(s->cols, collection);
    if (!c && make) {
        c = json_pack("{s:[],s:{}}", "ids", "items");
        if (!c || json_object_set_new(s->cols, collection, c))
            return NULL;
    }
    return c;
}

int cat_store_put(struct cat_store *s, const char *collection, const char *id, json_t *fields,
                  int64_t now_ms)
{
    json_t *c = col(s, collection, 1);
    if (!c || !fields) {
        json_decref(fields);
        return -1;
    }
    json_t *items = json_object_get(c, "items");
    if (!json_object_get(items, id)) {
        json_array_append_new(json_object_get(c, "ids"), json_string(id));
        s->count++;
    }
    return json_object_set_new(items, id,
                               json_pack("{s:o,s:I}", "f", fields, "t", (json_int_t)now_ms));
}

json_t *cat_store_get(struct cat_store *s, const char *collection, const char *id)
{
    return json_object_get(
        json_object_get(json_object_get(col(s, collection, 0), "items"), id), "f");
}

int64_t cat_store_created(struct cat_store *s, const char *collection, const char *id)
{
    const json_t *o = json_object_get(json_object_get(col(s, collection, 0), "items"), id);
    return o ? (int64_t)json_integer_value(json_object_get(o, "t")) : -1;
}

json_t *cat_store_remove(struct cat_store *s, const char *collection, const char *id)
{
    json_t *c = col(s, collection, 0);
    json_t *o = json_object_get(json_object_get(c, "items"), id);
    if (!o)
        return NULL;
    json_t *f = json_incref(json_object_get(o, "f"));
    json_object_del(json_object_get(c, "items"), id);
    json_t *ids = json_object_get(c, "ids");
    for (size_t i = 0; i < json_array_size(ids); i++)
        if (!strcmp(json_string_value(json_array_get(ids, i)), id)) {
            json_array_remove(ids, i);
            break;
        }
    s->count--;
    return f;
}

json_t *cat_store_ids(struct cat_store *s, const char *collection)
{
    json_t *out = json_array();
    const json_t *ids = json_object_get(col(s, collection, 0), "ids");
    for (size_t i = json_array_size(ids); i-- > 0;)
        json_array_append(out, json_array_get(ids, i));
    return out;
}

void cat_store_new_id(struct cat_store *s, const char *prefix, char *out, size_t n)
{
    uint64_t k = ++s->next;
    snprintf(out, n, "%s%08llx-0000-4000-8000-%012llx", prefix ? prefix : "",
             (unsigned long long)(k * 2654435761u & 0xffffffffu), (unsigned long long)k);
}

size_t cat_store_count(const struct cat_store *s)
{
    return s->count;
}

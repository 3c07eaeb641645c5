/* The generic state of a provider's catalogue routes: objects kept by
 * collection ("/convai/agents", "/assistant", "/agent") and id, in the order
 * they were made; what POST creates, GET reads and lists, PATCH/PUT update
 * and DELETE removes. One store per provider per world, so it is reset with
 * the mocks (a new world) and seeded from mocks.<provider>.objects
 * (docs/catalogue.md#state). Call everything with the world's mutex held. */
#ifndef DIALSIM_CATALOGUE_STORE_H
#define DIALSIM_CATALOGUE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct cat_store;

int cat_store_create(struct cat_store **out);
void cat_store_destroy(struct cat_store *s); /* NULL ok */

/* Keep fields (taken) as object id of collection, made at now_ms; an
 * existing id is replaced. 0 or -1. */
int cat_store_put(struct cat_store *s, const char *collection, const char *id, json_t *fields,
                  int64_t now_ms);
/* The object's fields (borrowed; change them in place to update), or NULL. */
json_t *cat_store_get(struct cat_store *s, const char *collection, const char *id);
/* When the object was made (Unix ms), or -1. */
int64_t cat_store_created(struct cat_store *s, const char *collection, const char *id);
/* Forget it; returns its fields (new reference) or NULL when there was none. */
json_t *cat_store_remove(struct cat_store *s, const char *collection, const char *id);
/* The ids of collection, newest first (new reference, an array). */
json_t *cat_store_ids(struct cat_store *s, const char *collection);
/* A fresh id for the store, "<prefix><uuid-like>" (deterministic: a counter). */
void cat_store_new_id(struct cat_store *s, const char *prefix, char *out, size_t n);
/* Objects kept, all collections. */
size_t cat_store_count(const struct cat_store *s);

#endif

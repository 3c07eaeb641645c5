/* Which part of a provider answers a request (mock_server.c's dispatch):
 * the module's own route, the catalogue's generic handler, the provider's
 * 405, or nothing. A function of the method and the path alone: the
 * catalogues and the modules' route lists never change, so it is worked out
 * before the world's mutex is taken, and remembered per thread. */
#ifndef DIALSIM_MOCK_ROUTE_H
#define DIALSIM_MOCK_ROUTE_H

#include "catalogue.h"
#include "mock_provider.h"

struct route_plan {
    enum { PLAN_NONE, PLAN_MODULE, PLAN_GENERIC, PLAN_405 } kind;
    const struct cat_route *route;
    struct cat_params params;
};

/* The plan for a request to provider ops (NULL: no provider's path). */
void mock_route_plan(const struct mock_provider_ops *ops, const char *method, const char *path,
                     struct route_plan *p);

/* The provider whose path it is (mock_provider_for_path) and the plan, the
 * same as those two would say, from the calling thread's last answer when
 * method and path are the last ones it was asked about (a client under test
 * sends one route again and again; ElevenLabs' path is tried against
 * Vapi's and Retell's catalogues first: ~2,000 instructions). */
const struct mock_provider_ops *mock_route_for(const char *method, const char *path,
                                               struct route_plan *p);

#endif

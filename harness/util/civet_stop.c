#include "util/civet_stop.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct stopper {
    struct mg_context *ctx;
    atomic_int done;
};

static void *stop_thread(void *arg)
{
    struct stopper *st = arg;
    mg_stop(st->ctx);
    atomic_store(&st->done, 1);
    return NULL;
}

static void poke(const char *host, int port)
{
    bool v6 = host && strchr(host, ':') != NULL;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return;
    if (v6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET6, host, &a.sin6_addr) != 1 || IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr))
            a.sin6_addr = in6addr_loopback;
        (void)connect(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (!host || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
            a.sin_addr.s_addr == htonl(INADDR_ANY))
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)connect(fd, (struct sockaddr *)&a, sizeof a);
    }
    close(fd);
}

void civet_stop(struct mg_context *ctx, const char *host, int port)
{
    struct stopper st = {.ctx = ctx};
    pthread_t th;
    if (pthread_create(&th, NULL, stop_thread, &st) != 0) {
        mg_stop(ctx);
        return;
    }
    for (int i = 0; !atomic_load(&st.done); i++) {
        if (i < 200)
            poke(host, port);
        usleep(i < 200 ? 500 : 5000); /* then only wait: requests in flight finish */
    }
    pthread_join(th, NULL);
}

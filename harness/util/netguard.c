/* Loopback addresses, the Host header and the admin token (netguard.h). */
#include "util/netguard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool v4_loopback(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static bool v6_loopback(const char *s)
{
    struct in6_addr a;
    return inet_pton(AF_INET6, s, &a) == 1 && IN6_IS_ADDR_LOOPBACK(&a);
}

bool netguard_loopback_addr(const char *addr)
{
    if (!addr || !*addr)
        return false;
    if (!strcasecmp(addr, "localhost") || v4_loopback(addr) || v6_loopback(addr))
        return true;
    size_t n = strlen(addr);
    char inner[64];
    if (addr[0] == '[' && addr[n - 1] == ']' && n - 2 < sizeof inner) {
        memcpy(inner, addr + 1, n - 2);
        inner[n - 2] = '\0';
        return v6_loopback(inner);
    }
    return false;
}

/* ":1234" or "": what may follow the name in a Host header. */
static bool port_part(const char *p)
{
    if (!*p)
        return true;
    if (*p++ != ':' || !*p || strlen(p) > 5)
        return false;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

bool netguard_loopback_host(const char *host)
{
    if (!host || !*host)
        return false;
    char name[64];
    const char *rest;
    if (host[0] == '[') { /* "[::1]:8080": IPv6 only in brackets (RFC 3986) */
        const char *end = strchr(host, ']');
        if (!end || (size_t)(end - host - 1) >= sizeof name)
            return false;
        memcpy(name, host + 1, (size_t)(end - host - 1));
        name[end - host - 1] = '\0';
        return v6_loopback(name) && port_part(end + 1);
    }
    size_t k = strcspn(host, ":");
    if (k == 9 && !memcmp(host, "127.0.0.1", 9)) /* what clients send most */
        return port_part(host + 9);
    if (k >= sizeof name)
        return false;
    memcpy(name, host, k);
    name[k] = '\0';
    rest = host + k;
    return (!strcasecmp(name, "localhost") || v4_loopback(name)) && port_part(rest);
}

bool netguard_host_ok(const char *host, const char *http_version, char *why, size_t n)
{
    if (!host && http_version && !strcmp(http_version, "1.0"))
        return true;
    if (netguard_loopback_host(host))
        return true;
    if (!host)
        snprintf(why, n,
                 "the Host header is missing; this server listens on loopback and expects Host: "
                 "localhost, 127.0.0.1 or [::1] (with the port)");
    else
        snprintf(why, n,
                 "Host \"%.100s\" is not this server: it listens on loopback and expects Host: "
                 "localhost, 127.0.0.1 or [::1] (with the port); a request through another name "
                 "is refused (DNS rebinding)",
                 host);
    return false;
}

bool netguard_bearer_ok(const char *authorization, const char *token, char *why, size_t n)
{
    if (!token)
        return true;
    if (!authorization || !*authorization) {
        snprintf(why, n,
                 "this route needs the admin token: send Authorization: Bearer <token> (the "
                 "server's --admin-token or DIALSIM_ADMIN_TOKEN)");
        return false;
    }
    if (strncasecmp(authorization, "Bearer ", 7) != 0) {
        snprintf(why, n, "Authorization must be \"Bearer <admin token>\"");
        return false;
    }
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    size_t lt = strlen(t), lk = strlen(token);
    /* the length may leak, the content not: CRYPTO_memcmp over equal lengths */
    if (lt != lk || CRYPTO_memcmp(t, token, lk) != 0) {
        snprintf(why, n, "the admin token does not match");
        return false;
    }
    return true;
}

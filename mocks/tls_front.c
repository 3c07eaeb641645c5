#include "tls_front.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* One relayed connection. Its thread closes its own sockets (under f->mu,
 * setting them to -1), so that destroy can shut down the ones still open
 * without racing a close and hitting a reused descriptor. */
struct conn {
    struct tls_front *f;
    int cfd; /* client (TLS) */
    int bfd; /* backend (plain), -1 until connected */
    pthread_t th;
    atomic_bool done;
    struct conn *next;
};

struct tls_front {
    SSL_CTX *ctx;
    int lfd;
    int wake[2]; /* a byte here stops the accept loop */
    int port, backend_port;
    pthread_t accept_th;
    bool accept_started;
    pthread_mutex_t mu;
    struct conn *conns;
    bool stopping;
};

static void set_err(char *err, size_t n, const char *what)
{
    if (!err || !n)
        return;
    unsigned long e = ERR_get_error();
    if (e) {
        char why[256];
        ERR_error_string_n(e, why, sizeof why);
        snprintf(err, n, "%s: %s", what, why);
    } else if (errno) {
        snprintf(err, n, "%s: %s", what, strerror(errno));
    } else {
        snprintf(err, n, "%s", what);
    }
    ERR_clear_error();
}

static int connect_backend(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

static int ssl_write_all(SSL *ssl, const char *p, size_t len)
{
    while (len) {
        size_t k = 0;
        if (SSL_write_ex(ssl, p, len, &k) != 1)
            return -1;
        p += k;
        len -= k;
    }
    return 0;
}

/* Relays until the backend has answered and closed (CivetWeb closes after
 * every answer: keep-alive is off) or either side fails. A client that stops
 * sending is passed on as a half-close, so the backend still answers. */
static void relay(SSL *ssl, int cfd, int bfd)
{
    char buf[16384];
    bool client_open = true;
    for (;;) {
        struct pollfd p[2] = {{client_open ? cfd : -1, POLLIN, 0}, {bfd, POLLIN, 0}};
        /* Bytes already decrypted inside OpenSSL do not make the socket
         * readable: take them before waiting. */
        bool buffered = client_open && SSL_pending(ssl) > 0;
        if (!buffered && poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (client_open && (buffered || p[0].revents)) {
            size_t k = 0;
            if (SSL_read_ex(ssl, buf, sizeof buf, &k) != 1) {
                client_open = false;
                shutdown(bfd, SHUT_WR);
            } else if (send_all(bfd, buf, k)) {
                return;
            }
        }
        if (p[1].revents) {
            ssize_t k = recv(bfd, buf, sizeof buf, 0);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0 || ssl_write_all(ssl, buf, (size_t)k))
                return;
        }
    }
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    struct tls_front *f = c->f;
    /* A client that hangs up makes SSL_write raise SIGPIPE; blocked here, the
     * signal stays with this thread and dies with it. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);

    SSL *ssl = SSL_new(f->ctx);
    if (ssl && SSL_set_fd(ssl, c->cfd) == 1 && SSL_accept(ssl) == 1) {
        int bfd = connect_backend(f->backend_port);
        pthread_mutex_lock(&f->mu);
        c->bfd = bfd;
        bool stop = f->stopping;
        pthread_mutex_unlock(&f->mu);
        if (bfd >= 0 && !stop)
            relay(ssl, c->cfd, bfd);
        SSL_shutdown(ssl); /* close_notify; the client may be gone already */
    }
    SSL_free(ssl);
    ERR_clear_error();
    pthread_mutex_lock(&f->mu);
    close(c->cfd);
    c->cfd = -1;
    if (c->bfd >= 0)
        close(c->bfd);
    c->bfd = -1;
    pthread_mutex_unlock(&f->mu);
    atomic_store(&c->done, true);
    return NULL;
}

/* Joins the threads of finished connections, so a long-lived front does not
 * keep one zombie thread per request. */
static void reap(struct tls_front *f)
{
    pthread_mutex_lock(&f->mu);
    struct conn **pp = &f->conns;
    while (*pp) {
        struct conn *c = *pp;
        if (atomic_load(&c->done)) {
            *pp = c->next;
            pthread_join(c->th, NULL);
            free(c);
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&f->mu);
}

static void start_conn(struct tls_front *f, int cfd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(cfd);
        return;
    }
    c->f = f;
    c->cfd = cfd;
    c->bfd = -1;
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&f->mu);
    if (f->stopping || pthread_create(&c->th, NULL, conn_main, c) != 0) {
        pthread_mutex_unlock(&f->mu);
        close(cfd);
        free(c);
        return;
    }
    c->next = f->conns;
    f->conns = c;
    pthread_mutex_unlock(&f->mu);
}

static void *accept_main(void *arg)
{
    struct tls_front *f = arg;
    for (;;) {
        struct pollfd p[2] = {{f->lfd, POLLIN, 0}, {f->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int cfd = accept(f->lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        fcntl(cfd, F_SETFD, FD_CLOEXEC);
        reap(f);
        start_conn(f, cfd);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static SSL_CTX *make_ctx(const char *cert_pem, const char *key_pem, char *err, size_t n)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        set_err(err, n, "SSL_CTX_new");
        return NULL;
    }
    char what[4200];
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_pem) != 1) {
        snprintf(what, sizeof what, "%s: cannot use the certificate", cert_pem);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_pem, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof what, "%s: cannot use the private key", key_pem);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(what, sizeof what, "%s does not belong to %s", key_pem, cert_pem);
        goto fail;
    }
    return ctx;
fail:
    set_err(err, n, what);
    SSL_CTX_free(ctx);
    return NULL;
}

int tls_front_create(struct tls_front **out, int backend_port, const char *cert_pem,
                     const char *key_pem, char *err, size_t n)
{
    *out = NULL;
    if (err && n)
        err[0] = '\0';
    errno = 0;
    struct tls_front *f = calloc(1, sizeof *f);
    if (!f) {
        set_err(err, n, "out of memory");
        return -1;
    }
    f->lfd = f->wake[0] = f->wake[1] = -1;
    f->backend_port = backend_port;
    pthread_mutex_init(&f->mu, NULL);
    if (!(f->ctx = make_ctx(cert_pem, key_pem, err, n)))
        goto fail;
    if ((f->lfd = listen_loopback(&f->port)) < 0) {
        set_err(err, n, "listening on 127.0.0.1");
        goto fail;
    }
    if (pipe(f->wake) != 0) {
        set_err(err, n, "pipe");
        goto fail;
    }
    fcntl(f->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(f->wake[1], F_SETFD, FD_CLOEXEC);
    if (pthread_create(&f->accept_th, NULL, accept_main, f) != 0) {
        set_err(err, n, "starting the accept thread");
        goto fail;
    }
    f->accept_started = true;
    *out = f;
    return 0;
fail:
    tls_front_destroy(f);
    return -1;
}

int tls_front_port(const struct tls_front *f)
{
    return f->port;
}

void tls_front_destroy(struct tls_front *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stopping = true;
    pthread_mutex_unlock(&f->mu);
    if (f->accept_started) {
        ssize_t w;
        do
            w = write(f->wake[1], "x", 1);
        while (w < 0 && errno == EINTR);
        pthread_join(f->accept_th, NULL);
    }
    /* No new connection can start now; cut the open ones and wait for them. */
    pthread_mutex_lock(&f->mu);
    for (struct conn *c = f->conns; c; c = c->next) {
        if (c->cfd >= 0)
            shutdown(c->cfd, SHUT_RDWR);
        if (c->bfd >= 0)
            shutdown(c->bfd, SHUT_RDWR);
    }
    struct conn *list = f->conns;
    f->conns = NULL;
    pthread_mutex_unlock(&f->mu);
    while (list) {
        struct conn *next = list->next;
        pthread_join(list->th, NULL);
        free(list);
        list = next;
    }
    if (f->lfd >= 0)
        close(f->lfd);
    if (f->wake[0] >= 0)
        close(f->wake[0]);
    if (f->wake[1] >= 0)
        close(f->wake[1]);
    SSL_CTX_free(f->ctx);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

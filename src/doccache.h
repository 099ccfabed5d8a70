/*
 * Whole documents kept as their serialized bodies, for reads that are hot
 * and the same for everyone: today the public event document (programme,
 * speakers, ticket types with availability, questions).  A read is then a
 * lookup and a reference count, not five queries and a JSON print.
 * Documents die with cache_bump(), so a change made through this process
 * shows at once; what changes without one (seats taken by registrations,
 * anything changed through another instance) is at most DOC_MAX_MS old.
 * One thread rebuilds a document while the others keep serving the one
 * there is.
 */
#ifndef CONFERO_DOCCACHE_H
#define CONFERO_DOCCACHE_H

#include <stddef.h>

#include "err.h"

#define DOC_REFRESH_MS 500      /* older: rebuilt in the background */
#define DOC_MAX_MS 1000         /* older: never served */

/*
 * Which document: an event and a variant the cache does not interpret.
 * Today the only variant is "public"; a negotiated language goes in it
 * too ("public/sl"), so each language is a document of its own.
 */
struct doc_key {
	long long id;
	char variant[32];
};

struct doc;

/* The body; valid while the caller holds its reference. */
const char *doc_body(const struct doc *, size_t *len);
/* A strong ETag of the body, quotes included. */
const char *doc_etag(const struct doc *);
/* Drop a reference (void * so that it can go to arena_defer()). */
void doc_release(void *doc);

/*
 * Builds a document: *body from malloc() (cJSON_PrintUnformatted's is),
 * which the cache owns from then on.
 */
typedef enum err (*doc_build_fn)(void *arg, char **body, size_t *len);

/* The right to rebuild a document, handed out by a look-up. */
struct doc_claim {
	unsigned long long seq;         /* 0: no claim */
	unsigned long gen;
	long long since;
};

/*
 * Never waits, so the event thread may call it: a reference to the
 * document for key (the caller releases it), or NULL when there is none
 * younger than DOC_MAX_MS.  When the document is older than
 * DOC_REFRESH_MS and nobody is rebuilding it, claim->seq is set and the
 * caller must pass the claim to doccache_rebuild() or doccache_abandon().
 */
struct doc *doccache_peek(const struct doc_key *, struct doc_claim *claim);

/*
 * May wait (a worker): a reference to the document for key (the caller
 * releases it), built no earlier than not_before (doccache_now(); 0: any
 * young enough for doccache_peek()).  When there is none, the caller
 * waits for the build under way or builds it with build(arg) itself, so
 * a key has one build at a time however many ask.  claim as for
 * doccache_peek().
 */
enum err doccache_fetch(const struct doc_key *, long long not_before,
    doc_build_fn build, void *arg, struct doc **out, struct doc_claim *claim);

/* Build under a claim and keep the result (a thread that may block). */
void doccache_rebuild(const struct doc_key *, const struct doc_claim *,
    doc_build_fn build, void *arg);
/* Give up a claim without building. */
void doccache_abandon(const struct doc_key *, const struct doc_claim *);

/* The cache's clock: monotonic milliseconds. */
long long doccache_now(void);
void doccache_free(void);

#endif

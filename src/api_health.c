/* GET /healthz: is the server up, can it reach MariaDB. */
#include "api.h"
#include "db.h"
#include "http.h"

enum err
api_healthz(struct req *r)
{
	struct db *d = NULL;
	cJSON *o = cJSON_CreateObject();
	int ok;

	/* A short wait: health checks must answer even when the pool is busy. */
	ok = db_acquire(&d, 2000) == ERR_OK && db_ping(d) == ERR_OK;
	if (d != NULL)
		db_release(d);
	cJSON_AddStringToObject(o, "status", ok ? "ok" : "degraded");
	cJSON_AddStringToObject(o, "db", ok ? "ok" : "down");
	return reply_json(r, ok ? 200 : 503, o);
}

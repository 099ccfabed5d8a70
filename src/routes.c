/*
 * The one route table: method, path pattern, handler, least role, flags.
 * Authentication, role checks, CSRF and JSON parsing happen in http.c
 * from these entries before a handler runs.
 */
#include "api.h"
#include "route.h"

const struct route routes[] = {
	{"GET", "/healthz", api_healthz, ROLE_NONE, RF_NOAUTH},

	{"POST", "/api/v1/auth/login", api_login, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_NOCSRF},
	{"POST", "/api/v1/auth/logout", api_logout, ROLE_CHECKIN, 0},
	{"GET", "/api/v1/auth/me", api_me, ROLE_CHECKIN, 0},

	{"POST", "/api/v1/users", api_users_create, ROLE_ADMIN, RF_JSON},
	{"GET", "/api/v1/users", api_users_list, ROLE_ADMIN, 0},
	{"GET", "/api/v1/users/{id}", api_users_get, ROLE_ADMIN, 0},
	{"PATCH", "/api/v1/users/{id}", api_users_update, ROLE_ADMIN, RF_JSON},

	{"POST", "/api/v1/tokens", api_tokens_create, ROLE_CHECKIN, RF_JSON},
	{"GET", "/api/v1/tokens", api_tokens_list, ROLE_CHECKIN, 0},
	{"DELETE", "/api/v1/tokens/{id}", api_tokens_delete, ROLE_CHECKIN, 0},
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

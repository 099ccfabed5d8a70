/* The sql/NNN_name.sql migrations, embedded at build time by scripts/embed-sql. */
#ifndef CONFERO_MIGRATIONS_H
#define CONFERO_MIGRATIONS_H

struct migration {
	const char *name;       /* NNN_name.sql */
	const char *sql;
};

extern const struct migration migrations[];   /* ends with {0, 0} */

#endif

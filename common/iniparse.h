/* The INI layer: reads supervisord.conf files the way Python's RawConfigParser
 * does for Supervisor (inline comments, continuation lines, [DEFAULT],
 * case-insensitive keys, duplicate sections merged), on top of inih.
 *
 * inih splits sections, keys and values; our line reader in front of it
 * decides what Python would call a comment or a continuation line and hands
 * inih one normalised line per physical line. Debian's inih keeps a line in a
 * 200-byte stack buffer (and 50-byte section and key names), so any key,
 * value or section name too long for it, or one inih would read differently
 * from Python, is handed over as a reference "\x01<n>" into a table of ours
 * and resolved in the handler. No length limit is left. */
#ifndef CSUP_INIPARSE_H
#define CSUP_INIPARSE_H

#include <stddef.h>

struct ini_entry {
	char *key;   /* lower-cased */
	char *value; /* continuation lines joined with '\n' */
};

struct ini_section {
	char *name;
	char *file; /* file where the section was first seen (borrowed from doc) */
	struct ini_entry *entries;
	size_t n, cap;
};

struct ini_doc {
	struct ini_section *secs; /* in order of first appearance */
	size_t n, cap;
	/* open-addressing index over secs by name: slot holds i + 1, 0 is free;
	 * configs with thousands of sections are looked up once per option */
	size_t *slots;
	size_t nslots; /* a power of two, more than twice n */
	struct ini_section defaults; /* [DEFAULT] */
	char **files;                /* every file read, owned */
	size_t nfiles;
};

/* Parse path into doc, merging with what it already holds. Returns 0, -1 with
 * *err set to Python's message (caller frees) on a syntax error, or -2 with
 * errno set when the file cannot be opened. */
int ini_read_file(struct ini_doc *doc, const char *path, char **err);
void ini_free(struct ini_doc *doc);

struct ini_section *ini_find(const struct ini_doc *doc, const char *name);
/* Own key, else [DEFAULT]'s, else NULL. Borrowed. */
const char *ini_get(const struct ini_doc *doc, const struct ini_section *sec, const char *key);
/* Set a key (used by tests and includes); copies. */
void ini_set(struct ini_section *sec, const char *key, const char *value);

#endif

#include "iniparse.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Longest key or section name inih keeps whole (its MAX_NAME/MAX_SECTION 50),
 * and the longest line we hand it (its INI_MAX_LINE is 200 with the NUL). */
#define INIH_NAME_MAX 40
#define INIH_LINE_MAX 150
#define REF_MARK '\x01'

struct parse {
	struct ini_doc *doc;
	char *text;  /* the whole file, line ends normalised to \n */
	size_t pos, len;
	const char *path;
	int lineno;
	char *raw;   /* current physical line, as read (in rawbuf) */
	struct strbuf rawbuf, linebuf; /* reused from line to line */
	struct strv refs; /* over-long pieces handed to inih by reference */
	/* Python's continuation state */
	enum { LINE_OTHER, LINE_KEY, LINE_CONT } kind; /* what the reader made of the line */
	bool in_section;
	bool have_key;    /* an option was seen since the section header */
	size_t indent;    /* indentation of the line that started the option */
	int blanks;       /* blank lines since the last value line */
	struct ini_section *cur;
	char *cur_key;
	struct strbuf errs; /* "\n\t[line %2d]: %r" entries */
	char *fatal;        /* missing section header */
};

/* FNV-1a */
static size_t
name_hash(const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot holding name, or the free slot where it would go. */
static size_t *
index_slot(const struct ini_doc *doc, const char *name)
{
	size_t mask = doc->nslots - 1;
	for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
		size_t *slot = &doc->slots[i];
		if (!*slot || streq(doc->secs[*slot - 1].name, name))
			return slot;
	}
}

static void
index_grow(struct ini_doc *doc)
{
	free(doc->slots);
	doc->nslots = doc->nslots ? doc->nslots * 2 : 64;
	doc->slots = xcalloc(doc->nslots, sizeof(*doc->slots));
	for (size_t i = 0; i < doc->n; i++)
		*index_slot(doc, doc->secs[i].name) = i + 1;
}

static struct ini_section *
section_get(struct ini_doc *doc, const char *name, const char *file)
{
	if (streq(name, "DEFAULT"))
		return &doc->defaults;
	struct ini_section *s = ini_find(doc, name);
	if (s)
		return s;
	if (doc->n == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 16;
		doc->secs = xrealloc(doc->secs, doc->cap * sizeof(*doc->secs));
	}
	s = &doc->secs[doc->n++];
	*s = (struct ini_section){.name = xstrdup(name), .file = (char *)file};
	if (doc->n * 2 >= doc->nslots)
		index_grow(doc); /* indexes the new section too */
	else
		*index_slot(doc, name) = doc->n;
	return s;
}

static struct ini_entry *
entry_find(const struct ini_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->n; i++)
		if (streq(sec->entries[i].key, key))
			return &sec->entries[i];
	return NULL;
}

void
ini_set(struct ini_section *sec, const char *key, const char *value)
{
	struct ini_entry *e = entry_find(sec, key);
	if (e) { /* a repeated key keeps its place and takes the last value */
		free(e->value);
		e->value = xstrdup(value);
		return;
	}
	if (sec->n == sec->cap) {
		sec->cap = sec->cap ? sec->cap * 2 : 16;
		sec->entries = xrealloc(sec->entries, sec->cap * sizeof(*sec->entries));
	}
	sec->entries[sec->n++] = (struct ini_entry){xstrdup(key), xstrdup(value)};
}

struct ini_section *
ini_find(const struct ini_doc *doc, const char *name)
{
	if (!doc->nslots)
		return NULL;
	size_t i = *index_slot(doc, name);
	return i ? &doc->secs[i - 1] : NULL;
}

const char *
ini_get(const struct ini_doc *doc, const struct ini_section *sec, const char *key)
{
	struct ini_entry *e = entry_find(sec, key);
	if (!e)
		e = entry_find(&doc->defaults, key);
	return e ? e->value : NULL;
}

static void
section_free(struct ini_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->entries[i].key);
		free(s->entries[i].value);
	}
	free(s->entries);
	free(s->name);
}

void
ini_free(struct ini_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++)
		section_free(&doc->secs[i]);
	section_free(&doc->defaults);
	free(doc->secs);
	free(doc->slots);
	for (size_t i = 0; i < doc->nfiles; i++)
		free(doc->files[i]);
	free(doc->files);
	*doc = (struct ini_doc){0};
}

/* Python's configparser, exactly: a line whose first non-blank is ';' or
 * '#' is a comment; otherwise each round moves every prefix to its next
 * occurrence, and the first round in which one stands at column 0 or after
 * whitespace ends the line there (so "a;b ;c #d" keeps "a;b ;c" when the
 * earlier '#'-round... both advance in step). */
static size_t
comment_start(const char *line, size_t len)
{
	const char *p = line;
	for (size_t n; (n = py_space_at(p));)
		p += n;
	if (*p == ';' || *p == '#')
		return 0;
	long idx[2] = {-1, -1};
	bool live[2] = {true, true};
	const char prefix[2] = {';', '#'};
	while (live[0] || live[1]) {
		size_t best = len;
		for (int k = 0; k < 2; k++) {
			if (!live[k])
				continue;
			const char *f = memchr(line + idx[k] + 1, prefix[k], len - (size_t)(idx[k] + 1));
			if (!f) {
				live[k] = false;
				continue;
			}
			idx[k] = f - line;
			if (idx[k] == 0 || py_space_before(line, (size_t)idx[k]))
				best = (size_t)idx[k] < best ? (size_t)idx[k] : best;
		}
		if (best < len)
			return best;
	}
	return len;
}

/* Indentation in characters, as Python's \S search counts it. */
static size_t
indentation(const char *line)
{
	size_t chars = 0;
	for (size_t n; (n = py_space_at(line)) && *line != '\n'; line += n)
		chars++;
	return chars;
}

/* inih cuts a value at a ';' that follows whitespace (its inline comments);
 * Python may have kept one there, so such a value goes by reference. */
static bool
inih_would_cut(const char *v)
{
	for (const char *p = strchr(v, ';'); p; p = strchr(p + 1, ';'))
		if (p > v && isspace((unsigned char)p[-1]))
			return true;
	return false;
}

static char *
make_ref(struct parse *ps, const char *s, size_t n)
{
	strv_push(&ps->refs, xstrndup(s, n));
	return xasprintf("%c%zu", REF_MARK, ps->refs.n - 1);
}

static const char *
resolve(struct parse *ps, const char *s)
{
	if (s[0] != REF_MARK)
		return s;
	size_t i = strtoul(s + 1, NULL, 10);
	return i < ps->refs.n ? ps->refs.v[i] : "";
}

static void
add_error(struct parse *ps)
{
	sb_addf(&ps->errs, "\n\t[line %2d]: ", ps->lineno);
	sb_add_pyrepr(&ps->errs, ps->raw);
}

/* Turn one physical line into what inih should see. Writes at most num-1
 * bytes to out. */
static void
normalise(struct parse *ps, char *out, int num)
{
	size_t len = strlen(ps->raw); /* what follows a NUL byte is not seen */
	ps->linebuf.len = 0;
	sb_add(&ps->linebuf, ps->raw, len);
	char *line = ps->linebuf.p;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	size_t cut = comment_start(line, len);
	bool had_comment = cut < len;
	line[cut] = '\0';
	char *value = py_strip(line);
	size_t indent = indentation(ps->raw);
	char *ref = NULL; /* a piece handed over by reference */

	ps->kind = LINE_OTHER;
	out[0] = '\0';
	if (!*value) {
		/* Blank lines inside a continued value are kept (comment lines are not). */
		if (!had_comment && ps->have_key)
			ps->blanks++;
	} else if (ps->in_section && ps->have_key && indent > ps->indent) {
		/* Continuation: inih reads an indented line after a key as one. */
		if (strlen(value) > INIH_LINE_MAX || value[0] == REF_MARK || inih_would_cut(value))
			value = ref = make_ref(ps, value, strlen(value));
		snprintf(out, (size_t)num, " %s", value);
		ps->kind = LINE_CONT;
	} else {
		ps->indent = indent;
		ps->blanks = 0;
		/* Python's header pattern \[(.+)\]: a ']' at index 2 or later */
		if (value[0] == '[' && strrchr(value, ']') - value >= 2) {
			/* Python takes everything up to the last ']' as the name. */
			size_t n = (size_t)(strrchr(value, ']') - value - 1);
			char *name = value + 1;
			name[n] = '\0';
			/* inih reports no key-less section; Python keeps it. */
			ps->cur = section_get(ps->doc, name, ps->path);
			if (n > INIH_NAME_MAX || strpbrk(name, "];#"))
				name = ref = make_ref(ps, name, n);
			snprintf(out, (size_t)num, "[%s]", name);
			ps->in_section = true;
			ps->have_key = false;
		} else if (!ps->in_section) {
			if (!ps->fatal) {
				struct strbuf sb = {0};
				sb_adds(&sb, "File contains no section headers.\nfile: ");
				sb_add_pyrepr(&sb, ps->path);
				sb_addf(&sb, ", line: %d\n", ps->lineno);
				sb_add_pyrepr(&sb, ps->raw);
				ps->fatal = sb_steal(&sb);
			}
		} else {
			char *delim = strpbrk(value, "=:");
			if (!delim || delim == value) {
				add_error(ps);
			} else {
				*delim = '\0';
				char *k = py_strip(value);
				char *v = py_strip(delim + 1);
				char *kref = NULL;
				if (strlen(k) > INIH_NAME_MAX || k[0] == '[' || k[0] == REF_MARK)
					k = kref = make_ref(ps, k, strlen(k));
				if (strlen(v) + strlen(k) + 3 > INIH_LINE_MAX || v[0] == REF_MARK || inih_would_cut(v))
					v = ref = make_ref(ps, v, strlen(v));
				snprintf(out, (size_t)num, "%s=%s", k, v);
				free(kref);
				ps->have_key = true;
				ps->kind = LINE_KEY;
			}
		}
	}
	free(ref);
	/* inih wants the line end */
	size_t olen = strlen(out);
	if (olen + 1 < (size_t)num) {
		out[olen] = '\n';
		out[olen + 1] = '\0';
	}
}

static char *
reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	if (ps->pos >= ps->len)
		return NULL;
	const char *start = ps->text + ps->pos;
	const char *nl = memchr(start, '\n', ps->len - ps->pos);
	size_t n = nl ? (size_t)(nl - start) + 1 : ps->len - ps->pos;
	ps->rawbuf.len = 0;
	sb_add(&ps->rawbuf, start, n);
	ps->raw = ps->rawbuf.p;
	ps->pos += n;
	ps->lineno++;
	normalise(ps, str, num);
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	(void)section; /* the reader already made ps->cur the current section */
	const char *val = resolve(ps, value);
	if (ps->kind == LINE_CONT && ps->cur_key) {
		struct ini_entry *e = entry_find(ps->cur, ps->cur_key);
		struct strbuf sb = {0};
		sb_adds(&sb, e->value);
		for (int i = 0; i <= ps->blanks; i++)
			sb_addc(&sb, '\n');
		sb_adds(&sb, val);
		free(e->value);
		e->value = sb_steal(&sb);
		ps->blanks = 0;
		return 1;
	}
	if (ps->kind != LINE_KEY)
		return 1;
	char *key = xstrdup(resolve(ps, name));
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	ini_set(ps->cur, key, val);
	free(ps->cur_key);
	ps->cur_key = key;
	ps->blanks = 0;
	return 1;
}

/* Read the whole file; line ends become \n as in Python's universal
 * newlines mode (\r\n and a lone \r end a line too). */
static int
slurp(const char *path, char **text, size_t *len)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -1;
	struct strbuf sb = {0};
	char buf[65536];
	size_t n;
	bool cr = false;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		for (size_t i = 0; i < n;) {
			if (cr && buf[i] == '\n') {
				cr = false;
				i++;
				continue;
			}
			/* the text up to the next \r as it is */
			const char *r = memchr(buf + i, '\r', n - i);
			size_t run = r ? (size_t)(r - (buf + i)) : n - i;
			sb_add(&sb, buf + i, run);
			i += run;
			cr = r != NULL;
			if (cr) {
				sb_addc(&sb, '\n');
				i++;
			}
		}
	}
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		sb_free(&sb);
		errno = EIO;
		return -1;
	}
	*len = sb.len;
	*text = sb_steal(&sb);
	return 0;
}

int
ini_read_file(struct ini_doc *doc, const char *path, char **err)
{
	struct parse ps = {.doc = doc};
	if (slurp(path, &ps.text, &ps.len) < 0)
		return -2;
	doc->files = xrealloc(doc->files, (doc->nfiles + 1) * sizeof(*doc->files));
	doc->files[doc->nfiles++] = xstrdup(path);
	ps.path = doc->files[doc->nfiles - 1];
	/* inih's own reading is bypassed by our reader; it never sees a file */
	int rc = ini_parse_stream(reader, &ps, handler, &ps);
	free(ps.text);
	/* A section header with no keys still exists (Python creates it). */
	int ret = 0;
	if (ps.fatal) {
		*err = ps.fatal;
		ps.fatal = NULL;
		ret = -1;
	} else if (ps.errs.len) {
		struct strbuf sb = {0};
		sb_adds(&sb, "Source contains parsing errors: ");
		sb_add_pyrepr(&sb, path);
		sb_adds(&sb, ps.errs.p);
		*err = sb_steal(&sb);
		ret = -1;
	} else if (rc != 0) {
		*err = xasprintf("Source contains parsing errors: '%s'\n\t[line %2d]: (unreadable line)", path, rc);
		ret = -1;
	}
	sb_free(&ps.errs);
	strv_free(&ps.refs);
	sb_free(&ps.rawbuf);
	sb_free(&ps.linebuf);
	free(ps.cur_key);
	return ret;
}

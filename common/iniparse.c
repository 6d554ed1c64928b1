#include "iniparse.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
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
	FILE *fp;
	const char *path;
	int lineno;
	char *raw;   /* current physical line, as read */
	size_t rawcap;
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
	for (size_t i = 0; i < doc->n; i++)
		if (streq(doc->secs[i].name, name))
			return &doc->secs[i];
	return NULL;
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
	for (size_t i = 0; i < doc->nfiles; i++)
		free(doc->files[i]);
	free(doc->files);
	*doc = (struct ini_doc){0};
}

/* Python's rule: ';' or '#' starts a comment at column 0 or right after a
 * whitespace character; a line whose first non-blank is one is a comment. */
static size_t
comment_start(const char *line, size_t len)
{
	const char *p = line;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (*p == ';' || *p == '#')
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((line[i] == ';' || line[i] == '#') && (i == 0 || isspace((unsigned char)line[i - 1])))
			return i;
	return len;
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
	size_t len = strlen(ps->raw);
	char *line = xstrndup(ps->raw, len);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	size_t cut = comment_start(line, len);
	bool had_comment = cut < len;
	line[cut] = '\0';
	char *value = strip(line);
	size_t indent = strspn(ps->raw, " \t\f\v\r");
	char *emit = NULL;

	ps->kind = LINE_OTHER;
	if (!*value) {
		/* Blank lines inside a continued value are kept (comment lines are not). */
		if (!had_comment && ps->have_key)
			ps->blanks++;
		emit = xstrdup("");
	} else if (ps->in_section && ps->have_key && indent > ps->indent) {
		/* Continuation: inih reads an indented line after a key as one. */
		emit = strlen(value) > INIH_LINE_MAX ? make_ref(ps, value, strlen(value)) : xstrdup(value);
		char *e = xasprintf(" %s", emit);
		free(emit);
		emit = e;
		ps->kind = LINE_CONT;
	} else {
		ps->indent = indent;
		ps->blanks = 0;
		size_t vlen = strlen(value);
		if (value[0] == '[' && strchr(value + 1, ']') && vlen > 2) {
			/* Python takes everything up to the last ']' as the name. */
			size_t n = (size_t)(strrchr(value, ']') - value - 1);
			char *name = xstrndup(value + 1, n);
			/* inih reports no key-less section; Python keeps it. */
			ps->cur = section_get(ps->doc, name, ps->path);
			char *shown = (n > INIH_NAME_MAX || strpbrk(name, "];#")) ? make_ref(ps, name, n) : xstrdup(name);
			emit = xasprintf("[%s]", shown);
			free(shown);
			free(name);
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
			emit = xstrdup("");
		} else {
			char *delim = strpbrk(value, "=:");
			if (!delim || delim == value) {
				add_error(ps);
				emit = xstrdup("");
			} else {
				char *key = xstrndup(value, (size_t)(delim - value));
				char *k = strip(key);
				char *v = strip(delim + 1);
				char *kref = (strlen(k) > INIH_NAME_MAX || k[0] == '[' || k[0] == REF_MARK)
					? make_ref(ps, k, strlen(k)) : xstrdup(k);
				char *vref = (strlen(v) + strlen(kref) + 3 > INIH_LINE_MAX || v[0] == REF_MARK)
					? make_ref(ps, v, strlen(v)) : xstrdup(v);
				emit = xasprintf("%s=%s", kref, vref);
				free(kref);
				free(vref);
				free(key);
				ps->have_key = true;
				ps->kind = LINE_KEY;
			}
		}
	}
	snprintf(out, (size_t)num, "%s\n", emit);
	free(emit);
	free(line);
}

static char *
reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	ssize_t n = getline(&ps->raw, &ps->rawcap, ps->fp);
	if (n < 0)
		return NULL;
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

int
ini_read_file(struct ini_doc *doc, const char *path, char **err)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -2;
	doc->files = xrealloc(doc->files, (doc->nfiles + 1) * sizeof(*doc->files));
	doc->files[doc->nfiles++] = xstrdup(path);
	struct parse ps = {.doc = doc, .fp = fp, .path = doc->files[doc->nfiles - 1]};
	int rc = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(fp);
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
	free(ps.raw);
	free(ps.cur_key);
	return ret;
}

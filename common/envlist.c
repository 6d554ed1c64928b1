#include "envlist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
kv_set(struct kvlist *kv, const char *key, const char *val)
{
	for (size_t i = 0; i < kv->n; i++)
		if (streq(kv->keys[i], key)) {
			free(kv->vals[i]);
			kv->vals[i] = xstrdup(val);
			return;
		}
	if (kv->n == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 8;
		kv->keys = xrealloc(kv->keys, kv->cap * sizeof(char *));
		kv->vals = xrealloc(kv->vals, kv->cap * sizeof(char *));
	}
	kv->keys[kv->n] = xstrdup(key);
	kv->vals[kv->n++] = xstrdup(val);
}

const char *
kv_get(const struct kvlist *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (streq(kv->keys[i], key))
			return kv->vals[i];
	return NULL;
}

void
kv_copy(struct kvlist *dst, const struct kvlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		kv_set(dst, src->keys[i], src->vals[i]);
}

void
kv_free(struct kvlist *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->keys[i]);
		free(kv->vals[i]);
	}
	free(kv->keys);
	free(kv->vals);
	*kv = (struct kvlist){0};
}

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_/.+-():", c));
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The tokenizer of Python's shlex with posix=False. Returns 0 and fills
 * toks, or -1 on an unterminated quote. */
static int
tokenize(const char *s, struct strv *toks)
{
	const char *p = s;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return 0;
		if (*p == '#') { /* comment to end of line */
			while (*p && *p != '\n')
				p++;
			continue;
		}
		struct strbuf tok = {0};
		if (*p == '\'' || *p == '"') {
			char q = *p;
			sb_addc(&tok, *p++);
			while (*p && *p != q)
				sb_addc(&tok, *p++);
			if (!*p) {
				sb_free(&tok);
				return -1;
			}
			sb_addc(&tok, *p++);
		} else if (is_word(*p)) {
			while (*p) {
				if (*p == '#') { /* the word goes on after the comment */
					while (*p && *p != '\n')
						p++;
					if (*p)
						p++;
				} else if (is_word(*p) || *p == '\'' || *p == '"') {
					sb_addc(&tok, *p++);
				} else {
					break;
				}
			}
		} else {
			/* one character, which in UTF-8 may be several bytes */
			sb_addc(&tok, *p++);
			while ((*p & 0xC0) == 0x80)
				sb_addc(&tok, *p++);
		}
		strv_push(toks, sb_steal(&tok));
	}
}

int
parse_env_pairs(const char *s, struct kvlist *kv, char **err)
{
	struct strv toks = {0};
	if (tokenize(s, &toks) < 0) {
		strv_free(&toks);
		*err = xstrdup("No closing quotation");
		return -1;
	}
	for (size_t i = 0; i < toks.n; i += 4) {
		if (i + 2 >= toks.n || !streq(toks.v[i + 1], "=")) {
			strv_free(&toks);
			*err = xasprintf("Unexpected end of key/value pairs in value '%s'", s);
			return -1;
		}
		/* the value loses every leading and trailing quote character */
		char *v = toks.v[i + 2];
		size_t n = strlen(v);
		while (n && (v[n - 1] == '\'' || v[n - 1] == '"'))
			v[--n] = '\0';
		v += strspn(v, "'\"");
		kv_set(kv, toks.v[i], v);
	}
	strv_free(&toks);
	return 0;
}

#include "http_auth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha1.h>

#include "util.h"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

char *
http_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out = xmalloc(n / 4 * 3 + 4);
	size_t o = 0;
	int quad = 0, pads = 0;
	unsigned leftchar = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '=') {
			/* as CPython: a pad completing a quad ends the data */
			if (quad >= 2 && quad + ++pads >= 4)
				goto done;
			continue;
		}
		int v = b64_value(ch);
		if (v < 0)
			continue;
		pads = 0;
		switch (quad) {
		case 0:
			leftchar = (unsigned)v;
			quad = 1;
			break;
		case 1:
			out[o++] = (unsigned char)((leftchar << 2) | ((unsigned)v >> 4));
			leftchar = (unsigned)v & 0x0f;
			quad = 2;
			break;
		case 2:
			out[o++] = (unsigned char)((leftchar << 4) | ((unsigned)v >> 2));
			leftchar = (unsigned)v & 0x03;
			quad = 3;
			break;
		default:
			out[o++] = (unsigned char)((leftchar << 6) | (unsigned)v);
			leftchar = 0;
			quad = 0;
			break;
		}
	}
	if (quad != 0) {
		free(out);
		return NULL;
	}
done:
	out[o] = '\0';
	*len = o;
	return (char *)out;
}

bool
http_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Equality in a time that depends on the lengths only. */
static bool
secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;
	size_t n = alen > blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = i < alen ? (unsigned char)a[i] : 0;
		unsigned char y = i < blen ? (unsigned char)b[i] : 0;
		diff |= x ^ y;
	}
	return diff == 0;
}

static void
sha1_hex(const char *s, size_t len, char hex[2 * SHA1_DIGEST_SIZE + 1])
{
	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_SIZE];
	sha1_init(&ctx);
	sha1_update(&ctx, len, (const uint8_t *)s);
	sha1_digest(&ctx, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int
http_auth_check(const char *header, const char *username, const char *password)
{
	/* medusa matches "Authorization: ([^ ]+) (.*)" */
	const char *sp = header ? strchr(header, ' ') : NULL;
	if (!sp || sp == header)
		return 401;
	size_t schemelen = (size_t)(sp - header);
	if (schemelen != 5 || strncasecmp(header, "basic", 5) != 0) {
		char *scheme = xstrndup(header, schemelen);
		for (char *p = scheme; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		fprintf(stderr, "unknown/unsupported auth method: %s\n", scheme);
		free(scheme);
		return 401;
	}
	const char *cookie = sp + 1;
	size_t len;
	char *decoded = http_base64_decode(cookie, &len);
	if (!decoded || !http_utf8_valid(decoded, len)) {
		fprintf(stderr, "malformed authorization info <%s>\n", cookie);
		free(decoded);
		return 400;
	}
	const char *colon = memchr(decoded, ':', len);
	if (!colon) {
		free(decoded);
		return 500;
	}
	size_t ulen = (size_t)(colon - decoded);
	const char *pass = colon + 1;
	size_t plen = len - ulen - 1;
	bool user_ok = secret_equal(decoded, ulen, username, strlen(username));
	bool pass_ok;
	if (str_starts(password, "{SHA}")) {
		char hex[2 * SHA1_DIGEST_SIZE + 1];
		sha1_hex(pass, plen, hex);
		pass_ok = secret_equal(password + 5, strlen(password + 5), hex, strlen(hex));
	} else {
		pass_ok = secret_equal(pass, plen, password, strlen(password));
	}
	free(decoded);
	return user_ok & pass_ok ? 200 : 401;
}

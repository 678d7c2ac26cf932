// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough JSON for status: objects, arrays, strings and integers,
 * indented as daxctl and cxl list print them.  No library, so the tool
 * needs nothing beyond libkmod.
 */
#include <inttypes.h>
#include "tool.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->want_value = false;
}

static void indent(struct json *j)
{
	int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before any value: a comma after a sibling, a new line unless after a key. */
static void pre_value(struct json *j)
{
	if (j->want_value) {
		j->want_value = false;
		return;
	}
	if (j->depth) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		indent(j);
	}
	j->first[j->depth] = false;
}

static void json_open(struct json *j, char c)
{
	pre_value(j);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
}

void json_begin_obj(struct json *j)
{
	json_open(j, '{');
}

void json_end_obj(struct json *j)
{
	json_close(j, '}');
}

void json_begin_arr(struct json *j)
{
	json_open(j, '[');
}

void json_end_arr(struct json *j)
{
	json_close(j, ']');
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	pre_value(j);
	put_string(j->f, key);
	fputc(':', j->f);
	j->want_value = true;
}

void json_str(struct json *j, const char *s)
{
	pre_value(j);
	put_string(j->f, s);
}

void json_u64(struct json *j, uint64_t v)
{
	pre_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_int(struct json *j, long long v)
{
	pre_value(j);
	fprintf(j->f, "%lld", v);
}

void json_null(struct json *j)
{
	pre_value(j);
	fputs("null", j->f);
}

void json_done(struct json *j)
{
	fputc('\n', j->f);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * btf-query: read a kernel's BTF (a vmlinux ELF such as the BTF-only one
 * Debian's headers ship, raw /sys/kernel/btf/vmlinux, or a module's .ko whose
 * split BTF sits on top of vmlinux's) and print what the private struct
 * mirrors rely on, so the build can refuse a kernel whose layout differs.
 *
 *   btf-query [-b BASE] FILE QUERY...
 *     field:STRUCT.MEMBER[.MEMBER...]     byte offset, size and C type of
 *                                         the member (anonymous members are
 *                                         searched as C does)
 *     offsetof:STRUCT.MEMBER[.MEMBER...]  byte offset only
 *     sizeof:STRUCT                       struct size in bytes
 *     enum:ENUMERATOR                     value of an enumerator
 *
 * -b BASE: FILE holds split BTF (a module) and BASE the vmlinux it builds
 * on; type ids and string offsets of FILE continue those of BASE.
 *
 * One line per query: "QUERY VALUE", "field:... OFFSET SIZE TYPE" (TYPE is
 * the rest of the line, spelled as in C: "struct resource *",
 * "struct cxl_endpoint_decoder *[16]"), or "QUERY missing".  Exit 0 when
 * the files held BTF, 2 when one did not.  Host C only: no libbpf, no
 * bpftool, so DKMS can run it on any build machine.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC	0xeB9F

enum {
	KIND_INT = 1, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM,
	KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT,
	KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC, KIND_FLOAT,
	KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64,
};

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

struct btf_type {
	uint32_t name_off;
	uint32_t info;
	uint32_t size_or_type;
};

struct btf_member {
	uint32_t name_off;
	uint32_t type;
	uint32_t offset;
};

struct btf_enum {
	uint32_t name_off;
	int32_t val;
};

/* Strings of the base BTF, then of the split BTF (offsets continue). */
static const char *strs, *split_strs;
static uint32_t str_len, split_str_len;
static const struct btf_type **types;
static uint32_t nr_types, cap_types;

static unsigned int kind_of(const struct btf_type *t)
{
	return (t->info >> 24) & 0x1f;
}

static unsigned int vlen_of(const struct btf_type *t)
{
	return t->info & 0xffff;
}

static const char *name_of(uint32_t off)
{
	if (off < str_len)
		return strs + off;
	off -= str_len;
	return split_strs && off < split_str_len ? split_strs + off : "";
}

/* Size of the data that follows a type record, by kind. */
static size_t extra_of(const struct btf_type *t)
{
	unsigned int v = vlen_of(t);

	switch (kind_of(t)) {
	case KIND_INT: case KIND_VAR: case KIND_DECL_TAG:
		return 4;
	case KIND_ARRAY:
		return 12;
	case KIND_STRUCT: case KIND_UNION: case KIND_DATASEC:
		return 12 * (size_t)v;
	case KIND_ENUM: case KIND_FUNC_PROTO:
		return 8 * (size_t)v;
	case KIND_ENUM64:
		return 12 * (size_t)v;
	default:
		return 0;
	}
}

/* Add the types of @blob; @split: it continues the ids already indexed. */
static int index_types(const unsigned char *blob, size_t len, int split)
{
	const struct btf_header *h = (const void *)blob;
	const unsigned char *p, *end;

	if (len < sizeof(*h) || h->magic != BTF_MAGIC)
		return -1;
	if ((size_t)h->hdr_len + h->str_off + h->str_len > len ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > len)
		return -1;
	if (split) {
		split_strs = (const char *)blob + h->hdr_len + h->str_off;
		split_str_len = h->str_len;
	} else {
		strs = (const char *)blob + h->hdr_len + h->str_off;
		str_len = h->str_len;
		nr_types = 1;		/* id 0 is void */
	}
	p = blob + h->hdr_len + h->type_off;
	end = p + h->type_len;

	while (p + sizeof(struct btf_type) <= end) {
		const struct btf_type *t = (const void *)p;

		if (nr_types >= cap_types) {
			cap_types = cap_types ? cap_types * 2 : 1 << 16;
			types = realloc(types, cap_types * sizeof(*types));
			if (!types)
				return -1;
		}
		types[nr_types++] = t;
		p += sizeof(*t) + extra_of(t);
	}
	return 0;
}

static const struct btf_type *type_by_id(uint32_t id)
{
	return id && id < nr_types ? types[id] : NULL;
}

static const struct btf_type *strip(const struct btf_type *t)
{
	while (t) {
		switch (kind_of(t)) {
		case KIND_TYPEDEF: case KIND_VOLATILE: case KIND_CONST:
		case KIND_RESTRICT: case KIND_TYPE_TAG:
			t = type_by_id(t->size_or_type);
			continue;
		}
		break;
	}
	return t;
}

static const struct btf_type *find_struct(const char *name)
{
	uint32_t i;

	for (i = 1; i < nr_types; i++) {
		const struct btf_type *t = types[i];

		if ((kind_of(t) == KIND_STRUCT || kind_of(t) == KIND_UNION) &&
		    !strcmp(name_of(t->name_off), name))
			return t;
	}
	return NULL;
}

/* Size in bytes of the object a type id describes, -1 if it has none. */
static long size_of(uint32_t id)
{
	const struct btf_type *t = strip(type_by_id(id));
	const uint32_t *arr;

	if (!t)
		return -1;
	switch (kind_of(t)) {
	case KIND_INT: case KIND_STRUCT: case KIND_UNION: case KIND_ENUM:
	case KIND_ENUM64: case KIND_FLOAT:
		return t->size_or_type;
	case KIND_PTR:
		return 8;
	case KIND_ARRAY:
		arr = (const void *)(t + 1);	/* type, index_type, nelems */
		return size_of(arr[0]) < 0 ? -1 : size_of(arr[0]) * (long)arr[2];
	}
	return -1;
}

/* C spelling of a type, the way a header declares it; appends to @buf. */
static void spell(uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = type_by_id(id);
	size_t n = strlen(buf);
	const uint32_t *arr;
	char inner[256] = "";

	if (!t) {
		snprintf(buf + n, len - n, "void");
		return;
	}
	switch (kind_of(t)) {
	case KIND_INT: case KIND_TYPEDEF: case KIND_FLOAT:
		snprintf(buf + n, len - n, "%s", name_of(t->name_off));
		break;
	case KIND_STRUCT: case KIND_UNION: case KIND_FWD:
		snprintf(buf + n, len - n, "%s %s",
			 kind_of(t) == KIND_UNION || (kind_of(t) == KIND_FWD && t->info >> 31) ?
			 "union" : "struct", *name_of(t->name_off) ? name_of(t->name_off) : "{}");
		break;
	case KIND_ENUM: case KIND_ENUM64:
		snprintf(buf + n, len - n, "enum %s",
			 *name_of(t->name_off) ? name_of(t->name_off) : "{}");
		break;
	case KIND_CONST: case KIND_VOLATILE:
		snprintf(buf + n, len - n, "%s ", kind_of(t) == KIND_CONST ? "const" : "volatile");
		spell(t->size_or_type, buf, len);
		break;
	case KIND_PTR:
		if (kind_of(strip(type_by_id(t->size_or_type)) ?: t) == KIND_FUNC_PROTO) {
			snprintf(buf + n, len - n, "function *");
			break;
		}
		spell(t->size_or_type, buf, len);
		n = strlen(buf);
		snprintf(buf + n, len - n, " *");
		break;
	case KIND_ARRAY:
		arr = (const void *)(t + 1);
		spell(arr[0], inner, sizeof(inner));
		snprintf(buf + n, len - n, "%s[%u]", inner, arr[2]);
		break;
	default:
		snprintf(buf + n, len - n, "?");
	}
}

static long bit_offset(const struct btf_type *t, const struct btf_member *m)
{
	/* kind_flag set: the top 8 bits hold a bitfield size */
	return (t->info >> 31) ? (m->offset & 0xffffff) : m->offset;
}

/* Bit offset of member @name in @t, looking into anonymous members too. */
static long member_offset(const struct btf_type *t, const char *name,
			  uint32_t *mtype)
{
	const struct btf_member *m = (const void *)(t + 1);
	unsigned int i;

	for (i = 0; i < vlen_of(t); i++) {
		if (!strcmp(name_of(m[i].name_off), name)) {
			*mtype = m[i].type;
			return bit_offset(t, &m[i]);
		}
	}
	for (i = 0; i < vlen_of(t); i++) {
		const struct btf_type *sub = strip(type_by_id(m[i].type));
		long off;

		if (*name_of(m[i].name_off) || !sub ||
		    (kind_of(sub) != KIND_STRUCT && kind_of(sub) != KIND_UNION))
			continue;
		off = member_offset(sub, name, mtype);
		if (off >= 0)
			return bit_offset(t, &m[i]) + off;
	}
	return -1;
}

/* Byte offset of STRUCT.MEMBER... in @path; *@type: the member's type id. */
static long query_offsetof(char *path, uint32_t *type)
{
	char *member = strchr(path, '.');
	const struct btf_type *t;
	long bits = 0;

	if (!member)
		return -1;
	*member++ = '\0';
	t = find_struct(path);
	while (t && member) {
		char *next = strchr(member, '.');
		long off;

		if (next)
			*next++ = '\0';
		off = member_offset(t, member, type);
		if (off < 0)
			return -1;
		bits += off;
		t = next ? strip(type_by_id(*type)) : t;
		member = next;
	}
	return t && !(bits % 8) ? bits / 8 : -1;
}

static long query_enum(const char *name, int *found)
{
	uint32_t i;

	for (i = 1; i < nr_types; i++) {
		const struct btf_type *t = types[i];
		unsigned int j;

		if (kind_of(t) == KIND_ENUM) {
			const struct btf_enum *e = (const void *)(t + 1);

			for (j = 0; j < vlen_of(t); j++) {
				if (!strcmp(name_of(e[j].name_off), name)) {
					*found = 1;
					return e[j].val;
				}
			}
		} else if (kind_of(t) == KIND_ENUM64) {
			const uint32_t *e = (const void *)(t + 1);

			for (j = 0; j < vlen_of(t); j++) {
				if (!strcmp(name_of(e[3 * j]), name)) {
					*found = 1;
					return (long)((uint64_t)e[3 * j + 2] << 32 | e[3 * j + 1]);
				}
			}
		}
	}
	return 0;
}

/* The .BTF section of an ELF64 file, or the whole file if it is raw BTF. */
static const unsigned char *btf_blob(const unsigned char *buf, size_t len,
				     size_t *blen)
{
	const Elf64_Ehdr *eh = (const void *)buf;
	const Elf64_Shdr *sh;
	const char *names;
	unsigned int i;

	if (len >= 2 && *(const uint16_t *)buf == BTF_MAGIC) {
		*blen = len;
		return buf;
	}
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > len ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(buf + eh->e_shoff);
	if (sh[eh->e_shstrndx].sh_offset >= len)
		return NULL;
	names = (const char *)buf + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < eh->e_shnum; i++) {
		if (strcmp(names + sh[i].sh_name, ".BTF"))
			continue;
		if (sh[i].sh_offset + sh[i].sh_size > len)
			return NULL;
		*blen = sh[i].sh_size;
		return buf + sh[i].sh_offset;
	}
	return NULL;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	*len = 0;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 1 << 22;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	fclose(f);
	return buf;
}

static int load(const char *path, int split)
{
	const unsigned char *blob;
	unsigned char *buf;
	size_t len, blen;

	buf = slurp(path, &len);
	blob = buf ? btf_blob(buf, len, &blen) : NULL;
	if (!blob || index_types(blob, blen, split)) {
		fprintf(stderr, "btf-query: no BTF in %s\n", path);
		return -1;
	}
	return 0;		/* @buf stays: the index points into it */
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 3 && !strcmp(argv[1], "-b")) {
		if (load(argv[2], 0))
			return 2;
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: btf-query [-b BASE] FILE QUERY...\n");
		return 1;
	}
	if (load(argv[i], i > 1))
		return 2;

	for (i++; i < argc; i++) {
		char *q = strdup(argv[i]), *arg = strchr(q, ':');
		const struct btf_type *t;
		uint32_t type = 0;
		char spelled[256] = "";
		long v = -1;
		int found = 0;

		if (!arg) {
			fprintf(stderr, "btf-query: bad query %s\n", argv[i]);
			return 1;
		}
		*arg++ = '\0';
		if (!strcmp(q, "offsetof") || !strcmp(q, "field")) {
			v = query_offsetof(arg, &type);
			found = v >= 0;
		} else if (!strcmp(q, "sizeof")) {
			t = find_struct(arg);
			found = t != NULL;
			v = t ? (long)t->size_or_type : -1;
		} else if (!strcmp(q, "enum")) {
			v = query_enum(arg, &found);
		}
		if (!found) {
			printf("%s missing\n", argv[i]);
		} else if (!strcmp(q, "field")) {
			spell(type, spelled, sizeof(spelled));
			printf("%s %ld %ld %s\n", argv[i], v, size_of(type), spelled);
		} else {
			printf("%s %ld\n", argv[i], v);
		}
		free(q);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * execwatch: portmatrix's C example. A libbpf loader, linked dynamically against
 * Debian's libbpf (libbpf.so.1, which needs libelf.so.1 and libz.so.1), with its
 * BPF object embedded. It attaches to the sched_process_exec tracepoint, runs a
 * child, and checks the child's event: pid and filename. Prints one JSON line;
 * exits 0, or a stage's code (3 setup, 4 load, 5 attach, 6 no event, 7 wrong data).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "event.h"

/* The BPF object, built for this arch's byte order by scripts/build-example. */
__asm__(".section .rodata,\"a\"\n.balign 8\n.global execwatch_bpf\nexecwatch_bpf:\n.incbin \"" BPF_OBJECT "\"\n"
	".global execwatch_bpf_end\nexecwatch_bpf_end:\n.previous\n");
extern const char execwatch_bpf[], execwatch_bpf_end[];

enum { EXIT_SETUP = 3, EXIT_LOAD = 4, EXIT_ATTACH = 5, EXIT_NO_EVENT = 6, EXIT_WRONG = 7 };

struct seen {
	pid_t pid;
	int found;
	struct event ev;
};

static const char *stage = "";
static char error[512];

static int fail(const char *where, int code, const char *fmt, ...)
{
	va_list ap;
	stage = where;
	va_start(ap, fmt);
	vsnprintf(error, sizeof(error), fmt, ap);
	va_end(ap);
	return code;
}

/* libbpf's warnings explain verifier and attach failures: keep them on stderr. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

/* The offset of `__data_loc char[] filename` in the tracepoint's record (its format file). */
static unsigned int filename_offset(void)
{
	const char *paths[] = { "/sys/kernel/tracing/events/sched/sched_process_exec/format",
				"/sys/kernel/debug/tracing/events/sched/sched_process_exec/format" };
	char line[256];
	unsigned int off = 0;
	for (size_t i = 0; i < 2 && !off; i++) {
		FILE *f = fopen(paths[i], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strstr(line, " filename;") && sscanf(strstr(line, "offset:"), "offset:%u;", &off) == 1)
				break;
		fclose(f);
	}
	return off;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	if (size != sizeof(struct event))
		return 0;
	const struct event *e = data;
	if ((pid_t)e->pid == s->pid) {
		s->ev = *e;
		s->found = 1;
	}
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int watch(const char *path, int timeout_ms, struct seen *s)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "execwatch");
	struct bpf_object *obj = bpf_object__open_mem(execwatch_bpf, execwatch_bpf_end - execwatch_bpf, &opts);
	if (!obj)
		return fail("load", EXIT_LOAD, "open BPF object: %s", strerror(errno));
	if (bpf_object__load(obj))
		return fail("load", EXIT_LOAD, "load BPF object: %s", strerror(errno));
	unsigned int zero = 0, off = filename_offset();
	if (!off)
		return fail("setup", EXIT_SETUP, "no sched_process_exec format in tracefs (is tracefs mounted?)");
	if (bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "config")), &zero, &off, BPF_ANY))
		return fail("setup", EXIT_SETUP, "write config map: %s", strerror(errno));
	struct bpf_link *link = bpf_program__attach(bpf_object__find_program_by_name(obj, "handle_exec"));
	if (!link)
		return fail("attach", EXIT_ATTACH, "attach tracepoint sched/sched_process_exec: %s", strerror(errno));
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_event, s, NULL);
	if (!rb)
		return fail("setup", EXIT_SETUP, "ring buffer: %s", strerror(errno));

	s->pid = fork();
	if (s->pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(s->pid, &status, 0);
	for (int waited = 0; !s->found && waited < timeout_ms; waited += 100)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	if (!s->found)
		return fail("event", EXIT_NO_EVENT, "no exec event for pid %d within %d ms", s->pid, timeout_ms);
	if (s->ev.filename_len < 0)
		return fail("content", EXIT_WRONG, "reading the filename failed in BPF (errno %d)", -s->ev.filename_len);
	if (strcmp(s->ev.filename, path) != 0)
		return fail("content", EXIT_WRONG, "event filename \"%s\", want \"%s\"", s->ev.filename, path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = "/bin/true";
	int timeout_ms = 10000, opt;
	while ((opt = getopt(argc, argv, "e:t:")) != -1) {
		if (opt == 'e')
			path = optarg;
		else if (opt == 't')
			timeout_ms = atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-e PATH] [-t TIMEOUT_MS]\n", argv[0]);
			return 2;
		}
	}
	libbpf_set_print(print_libbpf);
	struct seen s = { 0 };
	int code = watch(path, timeout_ms, &s);

	struct utsname u;
	uname(&u);
	printf("{\"ok\":%s,", code ? "false" : "true");
	if (code) {
		printf("\"stage\":\"%s\",\"error\":", stage);
		json_string(error);
		putchar(',');
	} else {
		printf("\"pid\":%d,\"filename\":", s.pid);
		json_string(s.ev.filename);
		putchar(',');
	}
	printf("\"libbpf\":\"%u.%u\",\"kernel\":", libbpf_major_version(), libbpf_minor_version());
	json_string(u.release);
	printf(",\"machine\":");
	json_string(u.machine);
	printf("}\n");
	if (code)
		fprintf(stderr, "execwatch: %s: %s\n", stage, error);
	return code;
}

/*
 * chassisctl: the chassis control program the tests give ipmi_sim. It keeps
 * power and boot state in files under a state directory, so the state
 * survives a simulator restart and a test can read what the BMC was told.
 * It is C, built by the tests with the system's cc, because ipmi_sim runs
 * it for every power read: a simulated BMC should answer with one cheap
 * exec (no shell, no language runtime), so that the power sync benchmark
 * measures the conductors rather than the simulator.
 *
 * usage: chassisctl [-log FILE] STATEDIR get PARAM... | set PARAM VALUE...
 * With -log, "<unix time> <op> <param>" is appended to FILE first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void now(char *buf, size_t n) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, n, "%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
}

/* append_line appends line and a newline to path, creating it. */
static void append_line(const char *path, const char *line) {
	char buf[512];
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof buf, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof buf && write(fd, buf, (size_t)n) < 0) {
		/* nothing to do: a test reading the file will notice */
	}
	close(fd);
}

/* mkdir_p creates path and its missing parents (mkdir -p). */
static int mkdir_p(const char *path) {
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void path_of(char *buf, size_t n, const char *name) {
	snprintf(buf, n, "%s/%s", dir, name);
}

/* read_state prints "name:<value>" from the state file, or def. */
static void read_state(const char *name, const char *def) {
	char path[4096], val[256];
	path_of(path, sizeof path, name);
	strcpy(val, def);
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, val, sizeof val - 1);
		close(fd);
		if (n >= 0) {
			val[n] = 0;
			while (n > 0 && (val[n - 1] == '\n' || val[n - 1] == ' ' || val[n - 1] == '\r' || val[n - 1] == '\t'))
				val[--n] = 0;
		} else {
			strcpy(val, def);
		}
	}
	printf("%s:%s\n", name, val);
}

static void write_state(const char *name, const char *val) {
	char path[4096], tmp[4200];
	path_of(path, sizeof path, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	dprintf(fd, "%s\n", val);
	close(fd);
	rename(tmp, path);
}

int main(int argc, char **argv) {
	int i = 1;
	const char *logfile = NULL;
	if (argc - i >= 2 && strcmp(argv[i], "-log") == 0) {
		logfile = argv[i + 1];
		i += 2;
	}
	if (argc - i < 2)
		return 1;
	dir = argv[i];
	const char *op = argv[i + 1];
	i += 2;
	if (logfile) {
		char ts[64], line[512];
		now(ts, sizeof ts);
		snprintf(line, sizeof line, "%s %s %s", ts, op, i < argc ? argv[i] : "");
		append_line(logfile, line);
	}
	if (mkdir_p(dir) != 0)
		return 1;
	if (strcmp(op, "get") == 0) {
		for (; i < argc; i++) {
			if (strcmp(argv[i], "power") == 0) {
				read_state("power", "0");
			} else if (strcmp(argv[i], "boot") == 0) {
				read_state("boot", "default");
			} else {
				printf("Invalid parameter: %s\n", argv[i]);
				return 1;
			}
		}
		return 0;
	}
	if (strcmp(op, "set") == 0) {
		for (; i + 1 < argc; i += 2) {
			const char *p = argv[i], *v = argv[i + 1];
			char ts[64], line[128], events[4096];
			path_of(events, sizeof events, "events");
			if (strcmp(p, "power") == 0 || strcmp(p, "boot") == 0 || strcmp(p, "identify") == 0) {
				write_state(p, v);
			} else if (strcmp(p, "reset") == 0) {
				now(ts, sizeof ts);
				snprintf(line, sizeof line, "%s reset", ts);
				append_line(events, line);
			} else if (strcmp(p, "shutdown") == 0) {
				write_state("power", "0");
				now(ts, sizeof ts);
				snprintf(line, sizeof line, "%s soft-off", ts);
				append_line(events, line);
			} else {
				printf("Invalid parameter: %s\n", p);
				return 1;
			}
		}
		return 0;
	}
	return 1;
}

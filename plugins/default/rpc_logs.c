/* Logs in the `supervisor` namespace: readLog and the process log readers
 * (Supervisor's options.readFile), the tail readers (options.tailFile),
 * clearLog and the process log clearing. The files are read here, at the
 * paths the host gives (API->log_path); they are regular files, so a
 * plain read does not hold the loop up. rpc.md §11. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc_default.h"

static const char *
param_str(sup_value *params, int i)
{
	const char *s = "";
	size_t n;
	API->get_string(API->array_get(params, i), &s, &n);
	return s;
}

static bool
exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Up to want bytes at off (want < 0: to the end of the file). */
static int
read_at(int fd, int64_t off, int64_t want, char **data, size_t *len)
{
	size_t cap = want >= 0 && want < 65536 ? (size_t)want : 65536, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -1;
	while (want < 0 || (int64_t)n < want) {
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		size_t room = cap - n;
		if (want >= 0 && (int64_t)room > want - (int64_t)n)
			room = (size_t)(want - (int64_t)n);
		ssize_t r = pread(fd, buf + n, room, (off_t)(off + (int64_t)n));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* options.readFile: 0 with the bytes, or BAD_ARGUMENTS / FAILED. */
static int
read_file(const char *path, int64_t offset, int64_t length, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SUP_FAULT_FAILED;
	int rc = 0;
	if (offset < 0) { /* the last -offset bytes */
		struct stat st;
		if (length) {
			rc = SUP_FAULT_BAD_ARGUMENTS;
		} else if (fstat(fd, &st) < 0) {
			rc = SUP_FAULT_FAILED;
		} else {
			int64_t pos = (int64_t)st.st_size + offset;
			if (read_at(fd, pos < 0 ? 0 : pos, -offset, data, len) < 0)
				rc = SUP_FAULT_FAILED;
		}
	} else if (length < 0) {
		rc = SUP_FAULT_BAD_ARGUMENTS;
	} else if (read_at(fd, offset, length ? length : -1, data, len) < 0) {
		rc = SUP_FAULT_FAILED;
	}
	close(fd);
	return rc;
}

/* readLog / readProcess*Log once the path is known (NULL: none). */
static int
reply_read(sup_call *call, const char *path, sup_value *params, int first)
{
	if (!path)
		return sup_fault(call, SUP_FAULT_NO_FILE, NULL);
	if (!exists(path))
		return sup_fault(call, SUP_FAULT_NO_FILE, "%s", path);
	int64_t offset, length;
	if (!dflt_pyint(API->array_get(params, first), &offset) ||
	    !dflt_pyint(API->array_get(params, first + 1), &length))
		return sup_fault(call, SUP_FAULT_BAD_ARGUMENTS, NULL);
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(path, offset, length, &data, &len);
	if (rc)
		return sup_fault(call, rc, NULL);
	sup_value *v = API->string_new(data, len);
	free(data);
	return sup_reply(call, v);
}

static int
m_readLog(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	int fault = 0;
	char *path = API->log_path(NULL, NULL, &fault);
	int rc = reply_read(call, path, params, 0);
	free(path);
	return rc;
}

static int
read_process(sup_call *call, sup_value *params, const char *channel)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	int fault = 0;
	char *path = API->log_path(name, channel, &fault);
	if (!path && fault == SUP_FAULT_BAD_NAME)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	int rc = reply_read(call, path, params, 1);
	free(path);
	return rc;
}

static int
m_readProcessStdoutLog(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return read_process(call, params, "stdout");
}

static int
m_readProcessStderrLog(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return read_process(call, params, "stderr");
}

/* options.tailFile */
static sup_value *
tail_file(const char *path, int64_t offset, int64_t length)
{
	sup_value *a = API->array_new();
	char *data = NULL;
	size_t len = 0;
	bool overflow = false;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	int64_t sz = (int64_t)st.st_size;
	if (sz > offset + length) {
		overflow = true;
		offset = sz - 1;
	}
	if (offset + length > sz) {
		if (offset > sz - 1)
			length = 0;
		offset = sz - length;
	}
	if (offset < 0)
		offset = 0;
	if (length < 0)
		length = 0;
	if (length && read_at(fd, offset, length, &data, &len) < 0)
		goto fail;
	close(fd);
	API->array_push(a, API->string_new(data ? data : "", len));
	API->array_push(a, API->int_new(sz));
	API->array_push(a, API->bool_new(overflow));
	free(data);
	return a;
fail:
	if (fd >= 0)
		close(fd);
	API->array_push(a, sup_string(""));
	API->array_push(a, API->int_new(offset));
	API->array_push(a, API->bool_new(false));
	return a;
}

static int
tail_process(sup_call *call, sup_value *params, const char *channel)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	int fault = 0;
	char *path = API->log_path(name, channel, &fault);
	if (!path && fault == SUP_FAULT_BAD_NAME)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	if (!path || !exists(path)) {
		free(path);
		sup_value *a = API->array_new();
		API->array_push(a, sup_string(""));
		API->array_push(a, API->int_new(0));
		API->array_push(a, API->bool_new(false));
		return sup_reply(call, a);
	}
	int64_t offset, length;
	if (!dflt_pyint(API->array_get(params, 1), &offset) || !dflt_pyint(API->array_get(params, 2), &length)) {
		free(path);
		return sup_fault(call, SUP_FAULT_BAD_ARGUMENTS, NULL);
	}
	sup_value *a = tail_file(path, offset, length);
	free(path);
	return sup_reply(call, a);
}

static int
m_tailProcessStdoutLog(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return tail_process(call, params, "stdout");
}

static int
m_tailProcessStderrLog(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return tail_process(call, params, "stderr");
}

/* ---- clearing ---- */

static int
m_clearLog(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *detail = NULL;
	int code = API->main_log_clear(&detail);
	if (code) /* Supervisor gives no detail for either NO_FILE or FAILED */
		return sup_fault(call, code, NULL);
	return sup_reply(call, API->bool_new(true));
}

static int
m_clearProcessLogs(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	const char *detail = NULL;
	int code = API->proc_clear_logs(name, &detail);
	if (code) /* BAD_NAME and FAILED both name the process as given */
		return sup_fault(call, code, "%s", name);
	return sup_reply(call, API->bool_new(true));
}

static int
m_clearAllProcessLogs(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	/* Supervisor clears one process per 0.05 s poll; the result is the
	 * same when done in one go */
	sup_value *sel = API->proc_select("");
	sup_value *results = API->array_new();
	for (int i = 0; sel && i < API->array_size(sel); i++) {
		const char *spec = "";
		size_t n;
		API->get_string(API->array_get(sel, i), &spec, &n);
		char *group, *proc;
		dflt_split(spec, &group, &proc);
		char *ns = dflt_namespec(group, proc);
		const char *detail = NULL;
		int code = API->proc_clear_logs(spec, &detail);
		API->array_push(results, dflt_result(group, proc, code, code ? ns : NULL));
		free(ns);
		free(group);
		free(proc);
	}
	if (sel)
		API->unref(sel);
	return sup_reply(call, results);
}

#define P_NAME "@param string name process name or group:name\n"
#define P_RANGE \
	"@param int offset where to start; negative: that many bytes before the end (length must be 0)\n" \
	"@param int length how many bytes; 0: up to the end\n"
#define H_TAIL(ch)                                                                                     \
	"Tail the " ch " log of a process: return up to length bytes from offset; when the log grew past " \
	"offset + length, the last length bytes instead and overflow true.\n\n" P_NAME                    \
	"@param int offset offset to read from (the offset returned by the previous call)\n"              \
	"@param int length at most this many bytes\n"                                                      \
	"@return array result [string bytes, int offset (the log's size), boolean overflow]"
#define H_READ(what) "Read a slice of " what ".\n\n"
#define H_READP(ch) H_READ("the " ch " log of a process") P_NAME P_RANGE "@return string bytes"
#define H_READMAIN H_READ("supervisord's activity log") P_RANGE "@return string bytes"
#define H_CLEARP                                                                                   \
	"Truncate the log files of a process (they are removed and reopened).\n\n" P_NAME \
	"@return boolean result true"

const struct sup_method dflt_log_methods[] = {
	{"readLog", m_readLog, "s:ii,s:VV", H_READMAIN},
	{"readMainLog", m_readLog, "s:ii,s:VV", H_READMAIN},
	{"clearLog", m_clearLog, "b:",
	 "Remove supervisord's activity log file and reopen it.\n\n@return boolean result true"},
	{"readProcessStdoutLog", m_readProcessStdoutLog, "s:sii,s:sVV", H_READP("stdout")},
	{"readProcessLog", m_readProcessStdoutLog, "s:sii,s:sVV", H_READP("stdout")},
	{"readProcessStderrLog", m_readProcessStderrLog, "s:sii,s:sVV", H_READP("stderr")},
	{"tailProcessStdoutLog", m_tailProcessStdoutLog, "A:sii,A:sVV", H_TAIL("stdout")},
	{"tailProcessLog", m_tailProcessStdoutLog, "A:sii,A:sVV", H_TAIL("stdout")},
	{"tailProcessStderrLog", m_tailProcessStderrLog, "A:sii,A:sVV", H_TAIL("stderr")},
	{"clearProcessLogs", m_clearProcessLogs, "b:s", H_CLEARP},
	{"clearProcessLog", m_clearProcessLogs, "b:s", H_CLEARP},
	{"clearAllProcessLogs", m_clearAllProcessLogs, "A:",
	 "Truncate the log files of every process.\n\n"
	 "@return array result structs {name, group, status, description}"},
};
const size_t dflt_log_nmethods = sizeof dflt_log_methods / sizeof dflt_log_methods[0];

"""Bad supervisord.conf files and bad command lines: exact error text and exit code.

Every case below is a configuration (and optionally a command line) that
Supervisor 4.2.5 rejects at startup.  The expected message is what Debian's
reference /usr/bin/supervisord prints; supervisord prints it as

    Error: <message>
    For help, use <argv[0]> -h

on stderr (nothing on stdout) and exits with status 2 (config.md §9.1).

The table therefore doubles as a specification.  Placeholders:

    {tmp}   the test's private temporary directory (pytest tmp_path); the
            main configuration file is always {tmp}/supervisord.conf
    {argv0} argv[0] of the supervisord that runs (only in the help line,
            which the test composes itself)

Configs only reference paths inside {tmp}.  Both binaries run with the fixed
environment ENV below, with {tmp} as working directory, because the
"Available names" list of %(name)s expansion errors contains one ENV_<X>
name per environment variable of supervisord.  (LC_ALL is set so that the
Python reference does not coerce the C locale, which would add LC_CTYPE to
its environment and ENV_LC_CTYPE to its name lists.)

test_bad_config_rejected[case]  runs OUR supervisord (conftest.SUPERVISORD);
test_reference_agrees[case]     runs the reference on the same input and keeps
                                the table honest (skipped without it).

Run:  /usr/bin/python3 -m pytest tests/integration/test_config_errors.py -q
"""
import difflib
import os
import signal
import subprocess
from collections import namedtuple

import pytest

from conftest import SUPERVISORD, REF_SUPERVISORD

# The whole environment of the supervisord under test (see module doc).
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
TIMEOUT = 15  # seconds; a config accepted by mistake runs in the foreground

CONF = "{tmp}/supervisord.conf"
DEFAULT_ARGV = ["-c", CONF, "-n"]

Case = namedtuple("Case", "id err conf argv files")
CASES = []


def case(id, err, conf, argv=None, files=None):
    """One bad configuration.

    id    -- test id
    err   -- expected message (the text after "Error: ", without newline)
    conf  -- text of {tmp}/supervisord.conf, written byte for byte (UTF-8)
    argv  -- command line after argv[0]; default: -c {tmp}/supervisord.conf -n
    files -- extra files {relative path: text} created below {tmp}
    """
    assert id not in {c.id for c in CASES}, id
    CASES.append(Case(id, err, conf, argv or DEFAULT_ARGV, files or {}))


# Building blocks for the config texts.
SD = "[supervisord]\n"


def P(body, name="x"):
    """A [program:<name>] that is valid apart from <body>."""
    return SD + "[program:%s]\ncommand=true\n" % name + body


def EL(body, name="x"):
    """An [eventlistener:<name>] that is valid apart from <body> (needs events=)."""
    return SD + "[eventlistener:%s]\ncommand=true\n" % name + body


def FC(body, name="x"):
    """An [fcgi-program:<name>] that is valid apart from <body> (needs socket=)."""
    return SD + "[fcgi-program:%s]\ncommand=true\n" % name + body


# ---- INI syntax
# A key before any section: MissingSectionHeaderError, raised at once.
case("ini_no_section_header",
     'File contains no section headers.\n'
     "file: '{tmp}/supervisord.conf', line: 1\n"
     "'foo=bar\\n'",
     "foo=bar\n[supervisord]\n")
case("ini_no_section_header_after_comments",
     'File contains no section headers.\n'
     "file: '{tmp}/supervisord.conf', line: 4\n"
     "'  nodaemon = true\\n'",
     "; a comment\n\n# another\n  nodaemon = true\n[supervisord]\n")
case("ini_unterminated_header_first_line",
     'File contains no section headers.\n'
     "file: '{tmp}/supervisord.conf', line: 1\n"
     "'[supervisord\\n'",
     "[supervisord\nnodaemon=true\n")
# Other syntax errors are collected over the whole file and reported
# together: one '\t[line %2d]: <Python repr of the raw line>' per bad line.
case("ini_line_without_delimiter",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: 'nodaemon\\n'",
     "[supervisord]\nnodaemon\n")
# The indented '\tqux' after the bad line 5 is silently taken as a
# continuation of the last good key (command), so it is not reported.
case("ini_multiple_bad_lines",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: 'foo\\n'\n"
     "\t[line  5]: 'bar baz\\n'\n"
     "\t[line  7]: '=value\\n'",
     "[supervisord]\nfoo\n[program:x]\ncommand=true\nbar baz\n\tqux\n=value\n")
# The reported line is the raw line, comment included; a delimiter inside
# an inline comment does not count.
case("ini_bad_line_keeps_inline_comment",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: 'foo ;a=b\\n'",
     "[supervisord]\nfoo ;a=b\n")
# An empty key is an error too.
case("ini_empty_key",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: ' = value\\n'",
     "[supervisord]\n = value\n")
# Note: '[program:x' (containing ':') would silently be key '[program' = 'x'.
case("ini_unterminated_header_in_file",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: '[unix_http_server\\n'",
     "[supervisord]\n[unix_http_server\nfile=x.sock\n")
case("ini_empty_brackets",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: '[]\\n'",
     "[supervisord]\n[]\n")
# The repr is of the line as read: no '\n' when the file does not end in one.
case("ini_bad_last_line_without_newline",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  3]: 'foo'",
     "[supervisord]\nnodaemon=true\nfoo")
case("ini_bad_line_number_3_digits",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line 122]: 'oops\\n'",
     "[supervisord]\n" + "; filler\n" * 120 + "oops\n")
# Python repr: double quotes when the text contains ' but no ".
case("ini_bad_line_repr_double_quotes",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     '\t[line  2]: "it\'s wrong\\n"',
     "[supervisord]\nit's wrong\n")
case("ini_bad_line_repr_tab",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: 'foo\\tbar\\n'",
     "[supervisord]\nfoo\tbar\n")
# The file is read in text mode (universal newlines): CRLF shows as '\n'.
case("ini_crlf_line_endings",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  3]: 'foo\\n'",
     "[supervisord]\r\nnodaemon=true\r\nfoo\r\n")
# [supervisord] is required (checked after [include] processing).
case("ini_empty_file",
     '.ini file does not include supervisord section',
     "")
case("ini_missing_supervisord_section",
     '.ini file does not include supervisord section',
     "[program:x]\ncommand=true\n")
case("ini_section_name_case_sensitive",
     '.ini file does not include supervisord section',
     "[Supervisord]\n")
case("ini_default_section_is_not_supervisord",
     '.ini file does not include supervisord section',
     "[DEFAULT]\nnodaemon=true\n")
case("ini_supervisorctl_only",
     '.ini file does not include supervisord section',
     "[supervisorctl]\nserverurl=unix://{tmp}/s.sock\n")

# ---- [supervisord] values
# Values are checked in this order: minfds minprocs directory umask logfile
# logfile_maxbytes logfile_backups loglevel pidfile nodaemon silent
# childlogdir nocleanup strip_ansi environment; user= is checked last (after
# all sections).  No suffix on [supervisord] errors.
case("sd_nodaemon_boolean",
     "not a valid boolean value: 'maybe'",
     SD + "nodaemon=maybe\n")
case("sd_silent_boolean_repr_quote",
     'not a valid boolean value: "it\'s"',
     SD + "silent=it's\n")
case("sd_nocleanup_boolean",
     "not a valid boolean value: '2'",
     SD + "nocleanup=2\n")
case("sd_strip_ansi_boolean_unicode",
     "not a valid boolean value: 'jä'",
     SD + "strip_ansi=jä\n")
case("sd_minfds_integer",
     "invalid literal for int() with base 10: 'many'",
     SD + "minfds=many\n")
case("sd_minprocs_integer_float",
     "invalid literal for int() with base 10: '1.5'",
     SD + "minprocs=1.5\n")
case("sd_logfile_backups_integer_hex",
     "invalid literal for int() with base 10: '0x10'",
     SD + "logfile_backups=0x10\n")
# byte size: the number part, lower-cased, goes to int().
case("sd_logfile_maxbytes_float",
     "invalid literal for int() with base 10: '1.5'",
     SD + "logfile_maxbytes=1.5MB\n")
case("sd_logfile_maxbytes_unknown_suffix",
     "invalid literal for int() with base 10: '1tb'",
     SD + "logfile_maxbytes=1TB\n")
case("sd_umask_octal",
     '089 can not be converted to an octal type',
     SD + "umask=089\n")
case("sd_loglevel",
     "bad logging level name 'Verbose'",
     SD + "loglevel=Verbose\n")
case("sd_directory_missing",
     '{tmp}/nodir is not an existing directory',
     SD + "directory={tmp}/nodir\n")
case("sd_childlogdir_is_a_file",
     '{tmp}/afile is not an existing directory',
     SD + "childlogdir={tmp}/afile\n", files={"afile": ""})
case("sd_logfile_dir_missing",
     'The directory named as part of the path {tmp}/nodir/supervisord.log does not exist',
     SD + "logfile={tmp}/nodir/supervisord.log\n")
case("sd_pidfile_dir_missing",
     'The directory named as part of the path {tmp}/nodir/supervisord.pid does not exist',
     SD + "pidfile={tmp}/nodir/supervisord.pid\n")
case("sd_user_name",
     'Invalid user name nosuchuser',
     SD + "user=nosuchuser\n")
case("sd_user_id",
     'Invalid user id 3999999',
     SD + "user=3999999\n")
# %(name)s expansion: names available in [supervisord] are here and ENV_*.
case("sd_expand_unknown_name",
     "Format string '%(nosuch)s' for 'supervisord.logfile' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     SD + "logfile=%(nosuch)s\n")
case("sd_expand_program_name_unavailable",
     "Format string '%(program_name)s' for 'supervisord.identifier' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     SD + "identifier=%(program_name)s\n")
case("sd_expand_incomplete_format",
     "Format string '100%' for 'supervisord.identifier' is badly formatted: incomplete format",
     SD + "identifier=100%\n")
case("sd_expand_unsupported_format_character",
     "Format string '%Y' for 'supervisord.identifier' is badly formatted: unsupported format character 'Y' (0x59) at index 1",
     SD + "identifier=%Y\n")
case("sd_environment_unexpected_end",
     "Unexpected end of key/value pairs in value 'A=1 B=2'",
     SD + "environment=A=1 B=2\n")
case("sd_environment_no_closing_quotation",
     'No closing quotation',
     SD + "environment=A=\"x,B=2\n")
case("sd_environment_first_expansion",
     "Format string 'A=%(program_name)s' for 'supervisord.environment' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     SD + "environment=A=%(program_name)s\n")
# [supervisord] environment is expanded twice (second time as 'environment',
# with host_node_name), so '%%' becomes a bare '%' for the second pass.
case("sd_environment_second_expansion",
     "Format string 'A=%(nosuch)s' for 'environment' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here, host_node_name",
     SD + "environment=A=%%(nosuch)s\n")
case("sd_environment_double_percent_quirk",
     "Format string 'A=100%' for 'environment' is badly formatted: incomplete format",
     SD + "environment=A=100%%\n")

# ---- [program:x]
# Errors while building the processes of a program-type section get the
# suffix " in section '<section>' (file: '<file>')" (section and file as
# Python repr, file = the -c argument as given or the included file).
case("prog_missing_command",
     "program section program:x does not specify a command in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\nautostart=true\n")
# The section's name is validated before (no suffix); characters are checked
# in the order ' ', ':', '/'.
case("prog_name_space",
     "Invalid name: 'a b' because of character: ' '",
     SD + "[program:a b]\ncommand=true\n")
case("prog_name_slash",
     "Invalid name: 'a/b' because of character: '/'",
     SD + "[program:a/b]\ncommand=true\n")
case("prog_name_colon",
     "Invalid name: 'a:b' because of character: ':'",
     SD + "[program:a:b]\ncommand=true\n")
case("prog_name_first_bad_char_in_check_order",
     "Invalid name: 'a/b:c d' because of character: ' '",
     SD + "[program:a/b:c d]\ncommand=true\n")
case("prog_section_repr_double_quotes",
     'not a valid boolean value: \'maybe\' in section "program:it\'s" (file: \'{tmp}/supervisord.conf\')',
     P("autostart=maybe\n", name="it's"))
case("prog_process_name_bad_char",
     "Invalid name: 'x/%(process_num)s' because of character: '/' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("process_name=x/%(process_num)s\n"))
case("prog_numprocs_without_process_num",
     "%(process_num) must be present within process_name when numprocs > 1 in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("numprocs=2\n"))
case("prog_stopasgroup_without_killasgroup",
     "Cannot set stopasgroup=true and killasgroup=false in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopasgroup=true\nkillasgroup=false\n"))
# Note: priority is first read by the group builder (names: here, ENV_*
# only), so its errors have NO suffix.
case("prog_priority_integer",
     "invalid literal for int() with base 10: 'high'",
     P("priority=high\n"))
case("prog_autostart_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("autostart=maybe\n"))
case("prog_autorestart",
     "invalid 'autorestart' value 'sometimes' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("autorestart=Sometimes\n"))
case("prog_startsecs_integer",
     "invalid literal for int() with base 10: '-' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("startsecs=-\n"))
case("prog_startretries_integer",
     "invalid literal for int() with base 10: 'three' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("startretries=three\n"))
case("prog_stopsignal_name",
     "value 'FOO' is not a valid signal name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopsignal=FOO\n"))
case("prog_stopsignal_name_lowercase_sig",
     "value 'sigfoo' is not a valid signal name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopsignal=sigfoo\n"))
case("prog_stopsignal_number_32",
     "value '32' is not a valid signal number in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopsignal=32\n"))
case("prog_stopsignal_number_65",
     "value '65' is not a valid signal number in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopsignal=65\n"))
case("prog_stopwaitsecs_integer",
     "invalid literal for int() with base 10: '10s' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopwaitsecs=10s\n"))
case("prog_stopasgroup_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stopasgroup=maybe\n"))
case("prog_killasgroup_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("killasgroup=maybe\n"))
case("prog_exitcodes_above_255",
     "not a valid list of exit codes: '0,256' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("exitcodes=0,256\n"))
case("prog_exitcodes_negative",
     "not a valid list of exit codes: '-1' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("exitcodes=-1\n"))
case("prog_exitcodes_bad_separator",
     "not a valid list of exit codes: '0;2' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("exitcodes=0;2\n"))
case("prog_redirect_stderr_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("redirect_stderr=maybe\n"))
case("prog_numprocs_integer",
     "invalid literal for int() with base 10: 'two' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("numprocs=two\n"))
case("prog_numprocs_start_integer",
     "invalid literal for int() with base 10: 'one' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("numprocs_start=one\n"))
case("prog_stdout_capture_maxbytes",
     "invalid literal for int() with base 10: '1mib' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_capture_maxbytes=1MiB\n"))
case("prog_stderr_events_enabled_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stderr_events_enabled=maybe\n"))
case("prog_user_name",
     "Invalid user name nosuchuser in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("user=nosuchuser\n"))
case("prog_user_id",
     "Invalid user id 3999999 in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("user=3999999\n"))
case("prog_umask_octal",
     "8 can not be converted to an octal type in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("umask=8\n"))
case("prog_stdout_logfile_dir_missing",
     "The directory named as part of the path {tmp}/nodir/out.log does not exist in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_logfile={tmp}/nodir/out.log\n"))
case("prog_stderr_logfile_dir_missing",
     "The directory named as part of the path {tmp}/nodir/err.log does not exist in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stderr_logfile={tmp}/nodir/err.log\n"))
case("prog_stdout_logfile_backups_integer",
     "invalid literal for int() with base 10: 'ten' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_logfile_backups=ten\n"))
case("prog_stderr_logfile_maxbytes",
     "invalid literal for int() with base 10: '5xb' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stderr_logfile_maxbytes=5XB\n"))
case("prog_stdout_syslog_boolean",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_syslog=maybe\n"))
# Per-process options (command, directory, *_logfile, environment,
# process_name) also have group_name, host_node_name, numprocs, process_num,
# program_name.
case("prog_expand_command_unknown_name",
     "Format string 'echo %(nosuch)s' for 'program:x.command' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=echo %(nosuch)s\n")
case("prog_expand_command_incomplete_format",
     "Format string 'echo 100%' for 'program:x.command' is badly formatted: incomplete format in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=echo 100%\n")
case("prog_expand_command_unsupported_character",
     "Format string 'date +%Y-%m-%d' for 'program:x.command' is badly formatted: unsupported format character 'Y' (0x59) at index 7 in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=date +%Y-%m-%d\n")
case("prog_expand_command_incomplete_key",
     "Format string 'echo %(program_name' for 'program:x.command' is badly formatted: incomplete format key in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=echo %(program_name\n")
case("prog_expand_command_d_with_string",
     "Format string 'echo %(program_name)d' for 'program:x.command' is badly formatted: %d format: a real number is required, not str in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=echo %(program_name)d\n")
case("prog_expand_command_continuation_repr",
     "Format string 'echo\\n%(nosuch)s' for 'program:x.command' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\ncommand=echo\n  %(nosuch)s\n")
case("prog_expand_priority_no_process_num",
     "Format string '%(process_num)s' for 'program:x.priority' contains names ('process_num') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     P("priority=%(process_num)s\n"))
case("prog_expand_process_name",
     "Format string '%(nosuch)s' for 'process_name' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("process_name=%(nosuch)s\n"))
case("prog_expand_environment",
     "Format string 'A=%(nosuch)s' for 'environment' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=%(nosuch)s\n"))
# The program's own environment keys become ENV_<KEY> only for the options
# read after it, not inside the environment string itself.
case("prog_expand_environment_own_keys_unavailable",
     "Format string 'A=1,B=%(ENV_A)s' for 'environment' contains names ('ENV_A') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=1,B=%(ENV_A)s\n"))
case("prog_expand_stdout_logfile_first_pass",
     "Format string '%(nosuch)s' for 'program:x.stdout_logfile' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_logfile=%(nosuch)s\n"))
# stdout_logfile/stderr_logfile are expanded twice (second time under the
# bare option name).
case("prog_expand_stdout_logfile_second_pass",
     "Format string '%(nosuch)s' for 'stdout_logfile' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stdout_logfile=%%(nosuch)s\n"))
case("prog_expand_stderr_logfile_second_pass",
     "Format string '{tmp}/100%' for 'stderr_logfile' is badly formatted: incomplete format in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("stderr_logfile={tmp}/100%%\n"))
case("prog_expand_directory",
     "Format string '%(nosuch)s' for 'program:x.directory' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("directory=%(nosuch)s\n"))
# environment= syntax errors (config.md §4.1); the whole value is shown with %s
# (not repr).
case("prog_environment_unexpected_end",
     "Unexpected end of key/value pairs in value 'A=1 B=2' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=1 B=2\n"))
case("prog_environment_no_closing_quotation",
     "No closing quotation in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A='x\n"))
case("prog_environment_double_equal",
     "Unexpected end of key/value pairs in value 'A=b=c' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=b=c\n"))
case("prog_environment_empty_item",
     "Unexpected end of key/value pairs in value 'A=1,,B=2' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=1,,B=2\n"))
case("prog_default_section_inherited",
     "invalid literal for int() with base 10: 'abc' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     "[DEFAULT]\nstartsecs=abc\n" + P(""))
# ---- order of checks: the first error found is the one reported
case("order_priority_before_autostart",
     "invalid literal for int() with base 10: 'high'",
     P("autostart=maybe\npriority=high\n"))
case("order_environment_before_missing_command",
     "Unexpected end of key/value pairs in value 'A=1 B=2' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[program:x]\nenvironment=A=1 B=2\n")
case("order_sections_in_file_order",
     "not a valid boolean value: 'maybe' in section 'program:b' (file: '{tmp}/supervisord.conf')",
     SD + "[program:b]\ncommand=true\nautostart=maybe\n[program:a]\ncommand=true\nstartsecs=x\n")
case("order_groups_before_programs",
     '[group:g] names unknown program or fcgi-program nosuch',
     SD + "[program:a]\ncommand=true\nautostart=maybe\n[group:g]\nprograms=nosuch\n")
case("order_programs_before_servers",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[unix_http_server]\nchmod=9\n[program:x]\ncommand=true\nautostart=maybe\n")
case("order_supervisord_before_programs",
     "invalid literal for int() with base 10: 'x'",
     P("autostart=maybe\n") + "[supervisord]\nminfds=x\n")
case("order_inet_before_unix",
     "section [inet_http_server] has no port value",
     SD + "[unix_http_server]\nchmod=0700\n[inet_http_server]\nusername=u\npassword=p\n")
case("order_supervisord_user_checked_last",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     SD + "user=nosuchuser\n[program:x]\ncommand=true\nautostart=maybe\n")

# ---- [group:x]
# Heterogeneous groups are processed before all other program-type sections.
case("group_unknown_program",
     '[group:g] names unknown program or fcgi-program nosuch',
     SD + "[group:g]\nprograms=nosuch\n")
# Quirk: after the first member is handled, the section name in the
# message is that of the previous member, not [group:g].
case("group_unknown_second_program_quirk",
     '[program:a] names unknown program or fcgi-program nosuch',
     P("", name="a") + "[group:g]\nprograms=a,nosuch\n")
case("group_ambiguous",
     '[group:g] name a is ambiguous (exists as program and fcgi-program)',
     P("", name="a") + "[fcgi-program:a]\ncommand=true\nsocket=unix://{tmp}/a.sock\n[group:g]\nprograms=a\n")
case("group_bad_name",
     "Invalid name: 'g 1' because of character: ' '",
     SD + "[group:g 1]\nprograms=\n")
case("group_priority_integer",
     "invalid literal for int() with base 10: 'first'",
     P("", name="a") + "[group:g]\nprograms=a\npriority=first\n")
case("group_expand_programs",
     "Format string '%(program_name)s' for 'group:g.programs' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     SD + "[group:g]\nprograms=%(program_name)s\n")
# (%(group_name)s of a group member is the group's name.)
case("group_member_error_uses_group_name",
     "not a valid boolean value: 'g' in section 'program:a' (file: '{tmp}/supervisord.conf')",
     SD + "[program:a]\ncommand=true\nautostart=%(group_name)s\n[group:g]\nprograms=a\n")

# ---- [eventlistener:x]
# Pool-level options (priority, buffer_size, result_handler, events,
# redirect_stderr) are read before the processes: no suffix.
case("el_no_events",
     '[eventlistener:x] section requires an "events" line',
     EL(""))
case("el_empty_events",
     '[eventlistener:x] section requires an "events" line',
     EL("events=\n"))
case("el_unknown_event_type",
     'Unknown event type BOGUS in [eventlistener:x] events',
     EL("events=tick_5,bogus\n"))
case("el_buffer_size_zero",
     '[eventlistener:x] section sets invalid buffer_size (0)',
     EL("events=TICK_5\nbuffer_size=0\n"))
case("el_buffer_size_integer",
     "invalid literal for int() with base 10: 'big'",
     EL("events=TICK_5\nbuffer_size=big\n"))
case("el_redirect_stderr_true",
     '[eventlistener:x] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol',
     EL("events=TICK_5\nredirect_stderr=true\n"))
case("el_redirect_stderr_boolean",
     "not a valid boolean value: 'maybe'",
     EL("events=TICK_5\nredirect_stderr=maybe\n"))
case("el_result_handler_unresolvable",
     'nosuch.module:handler cannot be resolved within [eventlistener:x]',
     EL("events=TICK_5\nresult_handler=nosuch.module:handler\n"))
case("el_priority_integer",
     "invalid literal for int() with base 10: 'high'",
     EL("events=TICK_5\npriority=high\n"))
# The pool name is validated only while building the processes: suffix.
case("el_name_space_suffixed",
     "Invalid name: 'a b' because of character: ' ' in section 'eventlistener:a b' (file: '{tmp}/supervisord.conf')",
     EL("events=TICK_5\n", name="a b"))
case("el_missing_command",
     "program section eventlistener:x does not specify a command in section 'eventlistener:x' (file: '{tmp}/supervisord.conf')",
     SD + "[eventlistener:x]\nevents=TICK_5\n")
case("el_process_option_error",
     "invalid literal for int() with base 10: 'soon' in section 'eventlistener:x' (file: '{tmp}/supervisord.conf')",
     EL("events=TICK_5\nstartsecs=soon\n"))

# ---- [fcgi-program:x]
# fcgi-program section-level options (priority, user, socket_backlog,
# socket_owner, socket_mode, socket): no suffix.
case("fcgi_no_socket",
     '[fcgi-program:x] section requires a "socket" line',
     FC(""))
# Quirk: these ValueErrors carry two arguments, printed as a Python tuple.
case("fcgi_bad_socket_format",
     "('Bad socket format %s', 'udp://localhost:9000') in [fcgi-program:x] socket",
     FC("socket=udp://localhost:9000\n"))
case("fcgi_tcp_ipv6_bad_format",
     "('Bad socket format %s', 'tcp://[::1]:9000') in [fcgi-program:x] socket",
     FC("socket=tcp://[::1]:9000\n"))
case("fcgi_unix_relative_path",
     "('Unix socket path %s is not an absolute path', 'x.sock') in [fcgi-program:x] socket",
     FC("socket=unix://x.sock\n"))
case("fcgi_tcp_port_zero",
     '0 is below lower bound (1) in [fcgi-program:x] socket',
     FC("socket=tcp://localhost:0\n"))
case("fcgi_tcp_port_too_big",
     '65536 is above upper bound (65535) in [fcgi-program:x] socket',
     FC("socket=tcp://localhost:65536\n"))
case("fcgi_socket_owner_with_tcp",
     'socket_owner and socket_mode params should only be used with a Unix domain socket in [fcgi-program:x] socket',
     FC("socket=tcp://localhost:9000\nsocket_owner=root\n"))
case("fcgi_socket_mode_with_tcp",
     'socket_owner and socket_mode params should only be used with a Unix domain socket in [fcgi-program:x] socket',
     FC("socket=tcp://localhost:9000\nsocket_mode=0600\n"))
case("fcgi_socket_backlog_zero",
     'Invalid socket_backlog value 0',
     FC("socket=unix://{tmp}/x.sock\nsocket_backlog=0\n"))
case("fcgi_socket_backlog_too_big",
     'Invalid socket_backlog value 65536',
     FC("socket=unix://{tmp}/x.sock\nsocket_backlog=65536\n"))
case("fcgi_socket_backlog_integer",
     "invalid literal for int() with base 10: 'lots'",
     FC("socket=unix://{tmp}/x.sock\nsocket_backlog=lots\n"))
case("fcgi_socket_mode_octal",
     'Invalid socket_mode value 0800',
     FC("socket=unix://{tmp}/x.sock\nsocket_mode=0800\n"))
case("fcgi_socket_owner_user",
     'Invalid socket_owner value nosuchuser',
     FC("socket=unix://{tmp}/x.sock\nsocket_owner=nosuchuser\n"))
case("fcgi_socket_owner_group",
     'Invalid socket_owner value root:nosuchgroup',
     FC("socket=unix://{tmp}/x.sock\nsocket_owner=root:nosuchgroup\n"))
case("fcgi_user_not_suffixed",
     'Invalid user name nosuchuser',
     FC("socket=unix://{tmp}/x.sock\nuser=nosuchuser\n"))
# socket= is expanded with here, program_name, ENV_* only.
case("fcgi_socket_expand",
     "Format string 'unix://{tmp}/%(process_num)s.sock' for 'fcgi-program:x.socket' contains names ('process_num') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here, program_name",
     FC("socket=unix://{tmp}/%(process_num)s.sock\n"))
case("fcgi_missing_command",
     "program section fcgi-program:x does not specify a command in section 'fcgi-program:x' (file: '{tmp}/supervisord.conf')",
     SD + "[fcgi-program:x]\nsocket=unix://{tmp}/x.sock\n")
case("fcgi_name_colon",
     "Invalid name: 'a:b' because of character: ':'",
     SD + "[fcgi-program:a:b]\ncommand=true\nsocket=unix://{tmp}/x.sock\n")

# ---- servers
# Servers are checked after all program-type sections; [inet_http_server*]
# sections before [unix_http_server*] ones.
case("unix_no_file",
     'section [unix_http_server] has no file value',
     SD + "[unix_http_server]\nchmod=0700\n")
case("unix_named_section_no_file",
     'section [unix_http_server:two] has no file value',
     SD + "[unix_http_server:two]\n")
case("unix_bad_chmod",
     'Invalid chmod value 0899',
     SD + "[unix_http_server]\nfile={tmp}/s.sock\nchmod=0899\n")
case("unix_bad_chown_user",
     'Invalid sockchown value nosuchuser',
     SD + "[unix_http_server]\nfile={tmp}/s.sock\nchown=nosuchuser\n")
case("unix_bad_chown_group",
     'Invalid sockchown value root:nosuchgroup',
     SD + "[unix_http_server]\nfile={tmp}/s.sock\nchown=root:nosuchgroup\n")
case("unix_incomplete_auth_username",
     'Section [unix_http_server] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified',
     SD + "[unix_http_server]\nfile={tmp}/s.sock\nusername=user\n")
case("unix_incomplete_auth_password",
     'Section [unix_http_server] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified',
     SD + "[unix_http_server]\nfile={tmp}/s.sock\npassword=123\n")
case("unix_file_expand",
     "Format string '{tmp}/%(program_name)s.sock' for 'unix_http_server.file' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     SD + "[unix_http_server]\nfile={tmp}/%(program_name)s.sock\n")
case("inet_no_port",
     'section [inet_http_server] has no port value',
     SD + "[inet_http_server]\nusername=user\npassword=123\n")
# username/password pairing is checked before the presence of port.
case("inet_incomplete_auth_before_port",
     'Section [inet_http_server] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified',
     SD + "[inet_http_server]\nusername=user\n")
# Without ':' every port error becomes "not a valid port number: %r " (note
# the trailing space); with 'host:port' the int()/range errors show through.
case("inet_port_not_a_number",
     "not a valid port number: 'http' ",
     SD + "[inet_http_server]\nport=http\n")
case("inet_port_zero_without_host",
     "not a valid port number: '0' ",
     SD + "[inet_http_server]\nport=0\n")
case("inet_port_too_big_without_host",
     "not a valid port number: '65536' ",
     SD + "[inet_http_server]\nport=65536\n")
case("inet_port_empty",
     "not a valid port number: '' ",
     SD + "[inet_http_server]\nport=\n")
case("inet_port_missing_after_colon",
     "no port number specified in ''",
     SD + "[inet_http_server]\nport=localhost:\n")
case("inet_port_not_a_number_with_host",
     "invalid literal for int() with base 10: 'http'",
     SD + "[inet_http_server]\nport=localhost:http\n")
case("inet_port_zero_with_host",
     '0 is below lower bound (1)',
     SD + "[inet_http_server]\nport=*:0\n")
case("inet_port_too_big_with_host",
     '65536 is above upper bound (65535)',
     SD + "[inet_http_server]\nport=127.0.0.1:65536\n")
case("inet_port_expand",
     "Format string '%(here)s' for 'inet_http_server.port' contains names ('here') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH",
     SD + "[inet_http_server]\nport=%(here)s\n")

# ---- [include]
# [include]: files are globbed relative to the main file's directory; errors
# in an included file name that file.
case("include_no_files",
     '.ini file has [include] section, but no files setting',
     SD + "[include]\n")
case("include_files_expand",
     "Format string '%(program_name)s.ini' for 'include.files' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here, host_node_name",
     SD + "[include]\nfiles=%(program_name)s.ini\n")
case("include_parse_error",
     "Source contains parsing errors: '{tmp}/conf.d/a.ini'\n"
     "\t[line  3]: 'oops\\n'",
     SD + "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "[program:a]\ncommand=true\noops\n"})
case("include_no_section_header",
     'File contains no section headers.\n'
     "file: '{tmp}/conf.d/a.ini', line: 1\n"
     "'command=true\\n'",
     SD + "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "command=true\n"})
case("include_process_error_names_included_file",
     "not a valid boolean value: 'maybe' in section 'program:a' (file: '{tmp}/conf.d/a.ini')",
     SD + "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "[program:a]\ncommand=true\nautostart=maybe\n"})
# %(here)s in an included file is that file's directory.
case("include_here_is_included_dir",
     "The directory named as part of the path {tmp}/conf.d/nodir/a.log does not exist in section 'program:a' (file: '{tmp}/conf.d/a.ini')",
     SD + "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "[program:a]\ncommand=true\nstdout_logfile=%(here)s/nodir/a.log\n"})
case("include_supervisord_from_included_file",
     "invalid literal for int() with base 10: 'x'",
     "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "[supervisord]\nminfds=x\n"})
case("include_missing_supervisord",
     '.ini file does not include supervisord section',
     "[include]\nfiles=conf.d/*.ini\n", files={"conf.d/a.ini": "[program:a]\ncommand=true\n"})

# ---- [rpcinterface:x]
# Any factory other than supervisor.rpcinterface:make_main_rpcinterface
# is unresolvable for a C implementation; these two are for the reference too.
case("rpc_no_factory",
     'section [rpcinterface:supervisor] does not specify a supervisor.rpcinterface_factory',
     SD + "[rpcinterface:supervisor]\nfoo=bar\n")
case("rpc_unresolvable_module",
     'nosuch.module:make_interface cannot be resolved within [rpcinterface:x]',
     SD + "[rpcinterface:x]\nsupervisor.rpcinterface_factory = nosuch.module:make_interface\n")
case("rpc_unresolvable_attribute",
     'supervisor.rpcinterface:nosuch cannot be resolved within [rpcinterface:x]',
     SD + "[rpcinterface:x]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:nosuch\n")
# Extra keys of [rpcinterface:x] (including [DEFAULT] ones) are expanded
# with ENV_* only.
case("rpc_extra_key_expand_from_default",
     "Format string '%(nosuch)s' for 'rpcinterface:supervisor.foo' contains names ('nosuch') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH",
     "[DEFAULT]\nfoo=%(nosuch)s\n" + SD + "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")


# ---- more repr / comment / continuation details
# Python repr switches quotes and escapes backslashes; an inline ' ;' cuts a
# value even inside quotes.
case("sd_boolean_repr_both_quotes",
     'not a valid boolean value: \'it\\\'s "x"\'',
     SD + "nodaemon=it's \"x\"\n")
case("sd_boolean_repr_backslash",
     "not a valid boolean value: 'C:\\\\new'",
     SD + "nodaemon=C:\\new\n")
case("prog_inline_comment_cuts_quoted_command",
     'Format string "sh -c \'echo 100%" for \'program:x.command\' is badly formatted: incomplete format in section \'program:x\' (file: \'{tmp}/supervisord.conf\')',
     SD + "[program:x]\ncommand=sh -c 'echo 100% ; true'\n")
case("prog_environment_continuation_unexpected_end",
     "Unexpected end of key/value pairs in value 'A=1,\n"
     "B=2 C=3' in section 'program:x' (file: '{tmp}/supervisord.conf')",
     P("environment=A=1,\n  B=2 C=3\n"))
case("el_priority_program_name_unavailable",
     "Format string '%(program_name)s' for 'eventlistener:x.priority' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     EL("events=TICK_5\npriority=%(program_name)s\n"))
case("prog_priority_program_name_unavailable",
     "Format string '%(program_name)s' for 'program:x.priority' contains names ('program_name') which cannot be expanded. Available names: ENV_LC_ALL, ENV_PATH, here",
     P("priority=%(program_name)s\n"))
case("cli_relative_config_path_in_messages",
     "not a valid boolean value: 'maybe' in section 'program:x' (file: 'supervisord.conf')",
     P("autostart=maybe\n"), argv=["-c", "supervisord.conf", "-n"])

# ---- command line
# getopt (not gnu_getopt): option parsing stops at the first positional
# argument.
case("cli_positional_argument",
     "positional arguments are not supported: ['foo']",
     SD, argv=["-c", CONF, "-n", "foo"])
case("cli_positional_stops_option_parsing",
     "positional arguments are not supported: ['foo', '-c', '{tmp}/supervisord.conf']",
     SD, argv=["-n", "foo", "-c", CONF])
case("cli_double_dash",
     "positional arguments are not supported: ['-n']",
     SD, argv=["-c", CONF, "--", "-n"])
# getopt error messages.
case("cli_unknown_long_option",
     'option --foo not recognized',
     SD, argv=["-c", CONF, "-n", "--foo"])
case("cli_unknown_short_option",
     'option -x not recognized',
     SD, argv=["-c", CONF, "-n", "-x"])
case("cli_short_option_requires_argument",
     'option -c requires argument',
     SD, argv=["-n", "-c"])
case("cli_long_option_requires_argument",
     'option --configuration requires argument',
     SD, argv=["-n", "--configuration"])
case("cli_flag_must_not_have_argument",
     'option --nodaemon must not have an argument',
     SD, argv=["-c", CONF, "--nodaemon=1"])
case("cli_not_a_unique_prefix",
     'option --no not a unique prefix',
     SD, argv=["-c", CONF, "--no"])
case("cli_config_file_missing",
     'could not find config file {tmp}/nosuch.conf',
     SD, argv=["-c", "{tmp}/nosuch.conf", "-n"])
case("cli_config_file_is_directory",
     'could not read config file {tmp}',
     SD, argv=["-c", "{tmp}", "-n"])
# An option given twice (flags included).  Reported as the second occurrence
# was spelled, except that an abbreviated long option is always reported
# under its full name (getopt expands it).
case("cli_conflicting_short",
     "conflicting command line option '-n'",
     SD, argv=["-c", CONF, "-n", "-n"])
case("cli_conflicting_long",
     "conflicting command line option '--configuration'",
     SD, argv=["-c", CONF, "--configuration", CONF, "-n"])
case("cli_conflicting_abbreviated",
     "conflicting command line option '--nodaemon'",
     SD, argv=["-c", CONF, "--nodaemon", "--nodae"])
case("cli_conflicting_abbreviated_with_value",
     "conflicting command line option '--configuration'",
     SD, argv=["-c", CONF, "-n", "--conf=" + CONF])
# Option values are converted while parsing the command line: "invalid value
# for <opt> <repr(value)>: <type error>" (<opt> as for conflicts).
case("cli_umask_invalid",
     "invalid value for -m '99': 99 can not be converted to an octal type",
     SD, argv=["-c", CONF, "-n", "-m", "99"])
case("cli_umask_invalid_long",
     "invalid value for --umask '8': 8 can not be converted to an octal type",
     SD, argv=["-c", CONF, "-n", "--umask=8"])
case("cli_umask_invalid_abbreviated",
     "invalid value for --umask '8': 8 can not be converted to an octal type",
     SD, argv=["-c", CONF, "-n", "--uma", "8"])
case("cli_loglevel_invalid",
     "invalid value for -e 'verbose': bad logging level name 'verbose'",
     SD, argv=["-c", CONF, "-n", "-e", "verbose"])
case("cli_directory_invalid",
     "invalid value for -d '{tmp}/nodir': {tmp}/nodir is not an existing directory",
     SD, argv=["-c", CONF, "-n", "-d", "{tmp}/nodir"])
case("cli_logfile_invalid",
     "invalid value for -l '{tmp}/nodir/x.log': The directory named as part of the path {tmp}/nodir/x.log does not exist",
     SD, argv=["-c", CONF, "-n", "-l", "{tmp}/nodir/x.log"])
case("cli_logfile_maxbytes_invalid",
     "invalid value for -y '1TB': invalid literal for int() with base 10: '1tb'",
     SD, argv=["-c", CONF, "-n", "-y", "1TB"])
case("cli_logfile_backups_invalid",
     "invalid value for -z 'ten': invalid literal for int() with base 10: 'ten'",
     SD, argv=["-c", CONF, "-n", "-z", "ten"])
case("cli_minfds_invalid",
     "invalid value for -a 'lots': invalid literal for int() with base 10: 'lots'",
     SD, argv=["-c", CONF, "-n", "-a", "lots"])
case("cli_minprocs_invalid",
     "invalid value for --minprocs 'lots': invalid literal for int() with base 10: 'lots'",
     SD, argv=["-c", CONF, "-n", "--minprocs=lots"])
case("cli_childlogdir_invalid",
     "invalid value for -q '{tmp}/nodir': {tmp}/nodir is not an existing directory",
     SD, argv=["-c", CONF, "-n", "-q", "{tmp}/nodir"])
# -u / user= are checked only after the whole configuration was read.
case("cli_user_invalid",
     'Invalid user name nosuchuser',
     SD, argv=["-c", CONF, "-n", "-u", "nosuchuser"])
case("cli_option_error_before_config_error",
     "invalid value for -m '99': 99 can not be converted to an octal type",
     SD + "minfds=x\n", argv=["-c", CONF, "-n", "-m", "99"])
case("cli_config_error_before_user_check",
     "invalid literal for int() with base 10: 'x'",
     SD + "minfds=x\n", argv=["-c", CONF, "-n", "-u", "nosuchuser"])

# ---- long lines: the only error sits at the very end of a long line, so a
# loader that truncates lines (4 KiB, 8 KiB, 64 KiB buffers...) either accepts
# the file or reports something else.  Compared exactly, nothing abbreviated.
PROG_NAMES = ("ENV_LC_ALL, ENV_PATH, group_name, here, host_node_name, "
              "numprocs, process_num, program_name")
IN_PROGRAM_X = " in section 'program:x' (file: '{tmp}/supervisord.conf')"

LONG_CMD_4K = "echo " + "x" * 4096 + " %(nosuch)s"
case("long_command_4k_unknown_name_at_end",
     "Format string '" + LONG_CMD_4K + "' for 'program:x.command' contains names "
     "('nosuch') which cannot be expanded. Available names: " + PROG_NAMES + IN_PROGRAM_X,
     SD + "[program:x]\ncommand=" + LONG_CMD_4K + "\n")

LONG_CMD_64K = "echo " + "y" * 65536 + " 100%"
case("long_command_64k_incomplete_format_at_end",
     "Format string '" + LONG_CMD_64K + "' for 'program:x.command' is badly "
     "formatted: incomplete format" + IN_PROGRAM_X,
     SD + "[program:x]\ncommand=" + LONG_CMD_64K + "\n")


def _long_env(min_len=65536):
    """Valid KEY=value pairs, comma separated, at least min_len characters."""
    pairs, n, i = [], 0, 0
    while n < min_len:
        pairs.append("VAR%05d=value%05d" % (i, i))
        n += len(pairs[-1]) + 1
        i += 1
    return ",".join(pairs)


LONG_ENV_64K = _long_env()
case("long_environment_64k_no_closing_quotation_at_end",
     "No closing quotation" + IN_PROGRAM_X,
     P("environment=" + LONG_ENV_64K + ',LAST="never closed\n'))
case("long_environment_64k_unexpected_end_at_end",
     "Unexpected end of key/value pairs in value '" + LONG_ENV_64K + ",LAST'" + IN_PROGRAM_X,
     P("environment=" + LONG_ENV_64K + ",LAST\n"))
case("long_supervisord_environment_64k_no_closing_quotation_at_end",
     "No closing quotation",
     SD + "environment=" + LONG_ENV_64K + ",LAST='never closed\n")

LONG_WORD_8K = "z" * 8192
case("long_ini_line_8k_without_delimiter",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: '" + LONG_WORD_8K + "\\n'",
     SD + LONG_WORD_8K + "\n")
case("long_ini_line_64k_delimiter_only_in_inline_comment",
     "Source contains parsing errors: '{tmp}/supervisord.conf'\n"
     "\t[line  2]: '" + LONG_WORD_8K * 8 + " ;a=b\\n'",
     SD + LONG_WORD_8K * 8 + " ;a=b\n")


# ---------------------------------------------------------------------------
# The tests

def _materialize(c, tmp):
    """Write the case's files below tmp; return its argv (after argv[0])."""
    with open(os.path.join(tmp, "supervisord.conf"), "w",
              encoding="utf-8", newline="") as f:
        f.write(c.conf.replace("{tmp}", tmp))
    for rel, text in c.files.items():
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text.replace("{tmp}", tmp))
    return [a.replace("{tmp}", tmp) for a in c.argv]


def _excerpt(text, limit=4000):
    if len(text) <= limit:
        return text
    return "%s\n[... %d characters omitted ...]\n%s" % (
        text[:limit // 2], len(text) - limit, text[-limit // 2:])


def _describe_difference(expected, got):
    lines = ["--- expected stderr (%d chars)" % len(expected),
             _excerpt(expected),
             "--- got stderr (%d chars)" % len(got),
             _excerpt(got)]
    i = next((k for k, (a, b) in enumerate(zip(expected, got)) if a != b),
             min(len(expected), len(got)))
    lines.append("--- first difference at offset %d:" % i)
    lines.append("    expected: %r" % expected[max(0, i - 40):i + 40])
    lines.append("    got:      %r" % got[max(0, i - 40):i + 40])
    if len(expected) < 4000 and len(got) < 4000:
        lines.append("--- diff")
        lines.extend(difflib.unified_diff(expected.splitlines(), got.splitlines(),
                                          "expected", "got", lineterm=""))
    return "\n".join(lines)


def _check(binary, c, tmp_path):
    tmp = str(tmp_path)
    args = _materialize(c, tmp)
    argv = [binary] + args
    expected = "Error: %s\nFor help, use %s -h\n" % (c.err.replace("{tmp}", tmp), binary)
    shown = " ".join(argv)
    if len(shown) > 300:
        shown = shown[:300] + "..."
    # Own session, so that a configuration accepted by mistake (which then
    # runs in the foreground) can be stopped together with its children.
    proc = subprocess.Popen(argv, cwd=tmp, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        stdout = stderr = None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    if stdout is None:
        pytest.fail("%s: no exit within %ss (configuration accepted?)\n"
                    "command: %s\nexpected stderr:\n%s"
                    % (c.id, TIMEOUT, shown, _excerpt(expected)), pytrace=False)
    out = stdout.decode("utf-8", "backslashreplace")
    err = stderr.decode("utf-8", "backslashreplace")
    problems = []
    if proc.returncode != 2:
        problems.append("exit status: expected 2, got %s" % proc.returncode)
    if err != expected:
        problems.append(_describe_difference(expected, err))
    if out:
        problems.append("stdout should be empty, got:\n%s" % _excerpt(out))
    if problems:
        pytest.fail("%s\ncommand: %s (cwd %s)\n%s"
                    % (c.id, shown, tmp, "\n".join(problems)), pytrace=False)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_config_rejected(c, tmp_path):
    if not (os.path.isfile(SUPERVISORD) and os.access(SUPERVISORD, os.X_OK)):
        pytest.fail("binary not built: %s" % SUPERVISORD, pytrace=False)
    _check(SUPERVISORD, c, tmp_path)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_reference_agrees(c, tmp_path):
    if not (os.path.isfile(REF_SUPERVISORD) and os.access(REF_SUPERVISORD, os.X_OK)):
        pytest.skip("reference supervisord not installed: %s" % REF_SUPERVISORD)
    _check(REF_SUPERVISORD, c, tmp_path)


def test_table_is_large_enough():
    assert len(CASES) >= 60

#!/usr/bin/python3
"""Dump the effective supervisord configuration as computed by the reference.

Usage:  /usr/bin/python3 pyconfdump.py [-c] CONFIG

Loads CONFIG with Debian's Supervisor 4.2.5 (``ServerOptions.realize``, i.e.
exactly what ``supervisord -c CONFIG`` does before it starts the logger,
daemonizes or opens sockets) and prints the effective configuration in the
CANONICAL DUMP FORMAT below.  csupervisor's ``tests/confdump -c CONFIG``
prints the same format; tests/integration/test_config_values.py compares the
two byte for byte.  On a configuration error the reference's usage error is
printed on stderr (``Error: <message>`` ...) and the exit status is 2.

CANONICAL DUMP FORMAT
=====================

UTF-8 text, one ``key=value`` per line, every line terminated by ``\\n``,
lines in exactly the order described here.  Nothing else is printed.

Value encoding
--------------
* strings are written verbatim except: backslash -> ``\\\\``, newline -> ``\\n``,
  carriage return -> ``\\r``, tab -> ``\\t``, any other character below 0x20
  and 0x7f -> ``\\xHH`` (two lower-case hex digits).  Other characters
  (including non-ASCII) are written as-is, UTF-8 encoded.
* a missing (None) value is written ``None``;
* booleans are ``0`` / ``1``;
* integers are decimal (``-1`` for negative), octal-typed values (umask,
  chmod, socket_mode) are written in decimal (``022`` -> ``18``).

[supervisord]  (values after all parsing, as ServerOptions.realize leaves them)
--------------
::

  supervisord.logfile=<'syslog' if the value is exactly 'syslog', else
                       ~-expanded, made absolute against the CWD, normalised>
  supervisord.logfile_maxbytes=<int>
  supervisord.logfile_backups=<int>
  supervisord.loglevel=<level number: critical 50, error 40, warn 30, info 20,
                        debug 10, trace 5, blather 3>
  supervisord.pidfile=<~-expanded, absolute, normalised>
  supervisord.umask=<decimal>
  supervisord.nodaemon=<0|1>
  supervisord.silent=<0|1>
  supervisord.minfds=<int>
  supervisord.minprocs=<int>
  supervisord.nocleanup=<0|1>
  supervisord.childlogdir=<~-expanded value as written (NOT normalised, a
                           trailing slash is kept); default: Python's
                           tempfile.gettempdir(), i.e. the first of $TMPDIR,
                           $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp, CWD in
                           which a file can be created, made absolute and
                           normalised>
  supervisord.user=<string as written, or None>
  supervisord.directory=<~-expanded value as written, or None>
  supervisord.strip_ansi=<0|1>
  supervisord.identifier=<string>
  supervisord.environment=<K=V,K=V in dict (first-definition) order; empty if none>
  supervisord.serverurl=<fallback SUPERVISOR_SERVER_URL: 'unix://<file>' of
                         the first unix server, else 'http://<host or
                         localhost>:<port>' of the LAST inet server (sic: the
                         reference loop has no break), else None>

``supervisord.serverurl`` is an addition to the original format brief.

Servers (``server_configs``; index i counts from 0)
---------------------------------------------------
All sections whose name *starts with* ``inet_http_server`` come first (in
section order), then all sections starting with ``unix_http_server``::

  server.<i>.family=<unix|inet>
  server.<i>.section=<section name>
   unix only:  server.<i>.file=<stripped, ~-expanded, absolute, normalised>
               server.<i>.chmod=<decimal; default 448 (0700)>
               server.<i>.chown=<uid>:<gid>   (default -1:-1; 'user' alone -> <uid>:-1)
   inet only:  server.<i>.host=<lower-cased host; '' for 'port', ':port', '*:port'>
               server.<i>.port=<int>
  server.<i>.username=<string or None>
  server.<i>.password=<string or None>

RPC interfaces (``[rpcinterface:x]`` sections, section order)
-------------------------------------------------------------
::

  rpcinterface.<x>.factory=<supervisor.rpcinterface_factory value after
                            %(ENV_x)s expansion>
  rpcinterface.<x>.<key>=<value>     one line per other key (including keys
                                     inherited from [DEFAULT]), sorted by key

``<x>`` is the raw text after the first ``:`` of the section name.

Groups (``process_group_configs`` order, i.e. sorted by (priority, name),
stable: [group:x] groups, then [program:x], then [eventlistener:x], then
[fcgi-program:x] for equal keys)
---------------------------------------------------------------------------
::

  group.<name>.kind=<program|group|eventlistener|fcgi-program>
      (program = homogeneous group of a [program:x]; group = [group:x])
  group.<name>.priority=<int>
   eventlistener only:
      group.<name>.events=<event type names, upper-cased, de-duplicated,
                           SORTED (the reference keeps them in a set, so
                           config order is not preserved), comma-joined>
      group.<name>.buffer_size=<int>
   fcgi-program only:
      group.<name>.socket=<'unix://' + normalised absolute path, or
                           'tcp://<lower-cased host>:<port>'>
      group.<name>.socket_backlog=<int or None>
      group.<name>.socket_owner=<uid:gid or None>  (unix: set explicitly, or
                           defaulted to (uid of user=, its primary gid) when
                           user= differs from the current uid; tcp: None)
      group.<name>.socket_mode=<decimal or None>  (unix default 448; tcp None)

``<name>`` is the group name (for eventlisteners the raw, unstripped text
after ``eventlistener:``).

Processes: after its group lines, for each process of the group in
``process_configs`` order, with ``P`` = ``process.<groupname>:<processname>``
(always both parts, even when they are equal)::

  P.command=<string>
  P.directory=<string or None>
  P.umask=<decimal or None>
  P.priority=<int>
  P.autostart=<0|1>
  P.autorestart=<true|false|unexpected>
  P.startsecs=<int>
  P.startretries=<int>
  P.uid=<int or None>
  P.stdout_logfile=<AUTO|NONE|path>   (path ~-expanded but otherwise as
                                       written, may be relative; 'syslog' is
                                       rewritten to NONE + stdout_syslog=1)
  P.stdout_logfile_maxbytes=<int>
  P.stdout_logfile_backups=<int>
  P.stdout_capture_maxbytes=<int>
  P.stdout_events_enabled=<0|1>
  P.stdout_syslog=<0|1>
  P.stderr_logfile=...                (same six keys for stderr; NONE when
  ...                                  redirect_stderr is true)
  P.stopsignal=<int>
  P.stopwaitsecs=<int>
  P.stopasgroup=<0|1>
  P.killasgroup=<0|1>
  P.exitcodes=<comma-joined ints in the given order; empty if none>
  P.redirect_stderr=<0|1>
  P.environment=<K=V comma-joined; the reference MERGES [supervisord]
                 environment into every process: the [supervisord] keys come
                 first in their order (with the program's value where the
                 program overrides a key), then the program's other keys in
                 their order; empty if the merged dict is empty>
  P.serverurl=<AUTO if unset or 'auto' (any case, surrounding blanks), else
               the string as written (may be empty)>
"""
import os
import sys


def esc(v):
    if v is None:
        return 'None'
    if isinstance(v, bool):
        return '1' if v else '0'
    if isinstance(v, int):
        return str(v)
    s = str(v)
    out = []
    for ch in s:
        if ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\x%02x' % ord(ch))
        else:
            out.append(ch)
    return ''.join(out)


def b(v):
    return '1' if v else '0'


def env_str(d):
    if not d:
        return ''
    return ','.join('%s=%s' % (k, v) for k, v in d.items())


def main(argv):
    args = list(argv)
    if args and args[0] == '-c':
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write('usage: pyconfdump.py [-c] CONFIG\n')
        return 2
    config = args[0]

    from supervisor import options as O
    from supervisor.datatypes import (Automatic, RestartUnconditionally,
                                      RestartWhenExitUnexpected)
    from supervisor.events import getEventNameByType

    # --- instrumentation (in this process only) ---------------------------
    # ProcessGroupConfig is used both for [group:x] and [program:x]; tag the
    # instances built for [group:x] (the heterogeneous loop runs first and
    # builds exactly one config per [group:*] section).  Also keep the parser
    # to recover the rpcinterface factory spec strings.
    state = {'hetero': set(), 'parser': None}
    real_pgc = O.ProcessGroupConfig
    orig_pgfp = O.ServerOptions.process_groups_from_parser

    def process_groups_from_parser(self, parser):
        state['parser'] = parser
        n_hetero = len([s for s in parser.sections()
                        if s.startswith('group:')])
        created = []

        class Tagging(real_pgc):
            def __init__(self, *a, **kw):
                real_pgc.__init__(self, *a, **kw)
                created.append(self)

        O.ProcessGroupConfig = Tagging
        try:
            groups = orig_pgfp(self, parser)
        finally:
            O.ProcessGroupConfig = real_pgc
        state['hetero'] = set(id(g) for g in created[:n_hetero])
        return groups

    O.ServerOptions.process_groups_from_parser = process_groups_from_parser

    o = O.ServerOptions()
    o.realize(args=['-c', config], doc='', progname='supervisord')

    lines = []

    def out(key, value):
        lines.append('%s=%s' % (key, value))

    sd = o.configroot.supervisord
    out('supervisord.logfile', esc(o.logfile))
    out('supervisord.logfile_maxbytes', esc(o.logfile_maxbytes))
    out('supervisord.logfile_backups', esc(o.logfile_backups))
    out('supervisord.loglevel', esc(o.loglevel))
    out('supervisord.pidfile', esc(o.pidfile))
    out('supervisord.umask', esc(o.umask))
    out('supervisord.nodaemon', b(o.nodaemon))
    out('supervisord.silent', b(o.silent))
    out('supervisord.minfds', esc(o.minfds))
    out('supervisord.minprocs', esc(o.minprocs))
    out('supervisord.nocleanup', b(o.nocleanup))
    out('supervisord.childlogdir', esc(o.childlogdir))
    out('supervisord.user', esc(o.user))
    out('supervisord.directory', esc(o.directory))
    out('supervisord.strip_ansi', b(o.strip_ansi))
    out('supervisord.identifier', esc(o.identifier))
    out('supervisord.environment', esc(env_str(sd.environment)))
    out('supervisord.serverurl', esc(o.serverurl))

    import socket
    for i, sc in enumerate(o.server_configs):
        p = 'server.%d.' % i
        if sc['family'] == socket.AF_UNIX:
            out(p + 'family', 'unix')
            out(p + 'section', esc(sc['section']))
            out(p + 'file', esc(sc['file']))
            out(p + 'chmod', esc(sc['chmod']))
            out(p + 'chown', '%d:%d' % tuple(sc['chown']))
        else:
            out(p + 'family', 'inet')
            out(p + 'section', esc(sc['section']))
            out(p + 'host', esc(sc['host']))
            out(p + 'port', esc(sc['port']))
        out(p + 'username', esc(sc['username']))
        out(p + 'password', esc(sc['password']))

    parser = state['parser']
    factory_key = 'supervisor.rpcinterface_factory'
    for name, factory, extras in o.rpcinterface_factories:
        p = 'rpcinterface.%s.' % esc(name)
        spec = parser.saneget('rpcinterface:' + name, factory_key)
        out(p + 'factory', esc(spec))
        for k in sorted(extras):
            out(p + esc(k), esc(extras[k]))

    for g in o.process_group_configs:
        gname = esc(g.name)
        p = 'group.%s.' % gname
        if isinstance(g, O.EventListenerPoolConfig):
            kind = 'eventlistener'
        elif isinstance(g, O.FastCGIGroupConfig):
            kind = 'fcgi-program'
        elif id(g) in state['hetero']:
            kind = 'group'
        else:
            kind = 'program'
        out(p + 'kind', kind)
        out(p + 'priority', esc(g.priority))
        if kind == 'eventlistener':
            names = sorted(getEventNameByType(t) for t in g.pool_events)
            out(p + 'events', esc(','.join(names)))
            out(p + 'buffer_size', esc(g.buffer_size))
        elif kind == 'fcgi-program':
            s = g.socket_config
            out(p + 'socket', esc(s.url))
            out(p + 'socket_backlog', esc(s.get_backlog()))
            owner = getattr(s, 'owner', None)
            out(p + 'socket_owner',
                'None' if owner is None else '%d:%d' % tuple(owner))
            out(p + 'socket_mode', esc(getattr(s, 'mode', None)))

        for pc in g.process_configs:
            P = 'process.%s:%s.' % (gname, esc(pc.name))
            out(P + 'command', esc(pc.command))
            out(P + 'directory', esc(pc.directory))
            out(P + 'umask', esc(pc.umask))
            out(P + 'priority', esc(pc.priority))
            out(P + 'autostart', b(pc.autostart))
            if pc.autorestart is RestartUnconditionally:
                ar = 'true'
            elif pc.autorestart is RestartWhenExitUnexpected:
                ar = 'unexpected'
            elif pc.autorestart is False:
                ar = 'false'
            else:
                raise AssertionError('autorestart %r' % (pc.autorestart,))
            out(P + 'autorestart', ar)
            out(P + 'startsecs', esc(pc.startsecs))
            out(P + 'startretries', esc(pc.startretries))
            out(P + 'uid', esc(pc.uid))
            for ch in ('stdout', 'stderr'):
                lf = getattr(pc, ch + '_logfile')
                if lf is Automatic:
                    lfs = 'AUTO'
                elif lf is None:
                    lfs = 'NONE'
                else:
                    lfs = esc(lf)
                out(P + ch + '_logfile', lfs)
                out(P + ch + '_logfile_maxbytes',
                    esc(getattr(pc, ch + '_logfile_maxbytes')))
                out(P + ch + '_logfile_backups',
                    esc(getattr(pc, ch + '_logfile_backups')))
                out(P + ch + '_capture_maxbytes',
                    esc(getattr(pc, ch + '_capture_maxbytes')))
                out(P + ch + '_events_enabled',
                    b(getattr(pc, ch + '_events_enabled')))
                out(P + ch + '_syslog', b(getattr(pc, ch + '_syslog')))
            out(P + 'stopsignal', esc(pc.stopsignal))
            out(P + 'stopwaitsecs', esc(pc.stopwaitsecs))
            out(P + 'stopasgroup', b(pc.stopasgroup))
            out(P + 'killasgroup', b(pc.killasgroup))
            out(P + 'exitcodes', ','.join(str(x) for x in pc.exitcodes))
            out(P + 'redirect_stderr', b(pc.redirect_stderr))
            out(P + 'environment', esc(env_str(pc.environment)))
            out(P + 'serverurl',
                'AUTO' if pc.serverurl is None else esc(pc.serverurl))

    data = ''.join(line + '\n' for line in lines)
    sys.stdout.buffer.write(data.encode('utf-8', 'surrogateescape'))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

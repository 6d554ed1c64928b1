#!/usr/bin/python3
"""A configurable supervised program for tests/integration/test_engine.py.

Options are processed in this order:

  --ignore SIG          ignore signal SIG (e.g. TERM); repeatable
  --exit-on SIG:CODE    on signal SIG append SIG's name to --record and exit CODE
  --record FILE         file for --exit-on (one signal name per line)
  --grandchild FILE     fork a child that stays in our process group and
                        sleeps forever; write its pid to FILE
  --emit N              write N bytes of pattern(N, --kind) (kind "lines":
                        numbered ASCII lines, "binary": all byte values) to
                        --stream (out|err) in --chunk sized writes (default:
                        one write), sleeping --interval seconds between writes
  --tick SECONDS        then write "tick <n>\\n" every SECONDS forever
  --ready FILE          write our pid to FILE (atomically) once set up
  --exit CODE           finally exit with CODE; default: sleep forever
"""
import argparse
import os
import signal
import sys
import time


def pattern(n, kind):
    """Deterministic test data: 'lines' = numbered ASCII lines, 'binary' = all byte values."""
    if kind == "binary":
        block = bytes(range(256))
    else:
        block = b"".join(b"line %06d ..........................................\n" % i
                         for i in range(1 + n // 50))
    data = (block * (1 + n // len(block)))[:n]
    return data


def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]


def atomic_write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ignore", action="append", default=[])
    ap.add_argument("--exit-on", action="append", default=[])
    ap.add_argument("--record")
    ap.add_argument("--grandchild")
    ap.add_argument("--emit", type=int, default=0)
    ap.add_argument("--kind", default="lines", choices=["lines", "binary"])
    ap.add_argument("--stream", default="out", choices=["out", "err"])
    ap.add_argument("--chunk", type=int, default=0)
    ap.add_argument("--interval", type=float, default=0.0)
    ap.add_argument("--tick", type=float)
    ap.add_argument("--ready")
    ap.add_argument("--exit", type=int)
    a = ap.parse_args()

    for name in a.ignore:
        signal.signal(getattr(signal, "SIG" + name), signal.SIG_IGN)

    for spec in a.exit_on:
        name, code = spec.split(":")

        def handler(signum, frame, name=name, code=int(code)):
            if a.record:
                with open(a.record, "a") as f:
                    f.write("SIG%s\n" % name)
            os._exit(code)
        signal.signal(getattr(signal, "SIG" + name), handler)

    if a.grandchild:
        pid = os.fork()
        if pid == 0:
            while True:
                time.sleep(1000)
        atomic_write(a.grandchild, "%d\n" % pid)

    if a.emit:
        fd = 1 if a.stream == "out" else 2
        data = pattern(a.emit, a.kind)
        chunk = a.chunk or len(data)
        for i in range(0, len(data), chunk):
            write_all(fd, data[i:i + chunk])
            if a.interval:
                time.sleep(a.interval)

    if a.ready:
        atomic_write(a.ready, "%d\n" % os.getpid())

    if a.tick:
        n = 0
        while True:
            write_all(1, b"tick %d\n" % n)
            n += 1
            time.sleep(a.tick)

    if a.exit is not None:
        sys.exit(a.exit)
    while True:
        time.sleep(1000)


if __name__ == "__main__":
    main()

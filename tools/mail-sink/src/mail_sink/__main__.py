"""``python -m mail_sink --smtp-port 1025 --http-port 8025``: run until Ctrl-C / SIGTERM."""
from __future__ import annotations

import argparse
import signal
import threading

from mail_sink.server import MailSink


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()
    sink = MailSink(args.host, args.smtp_port, args.http_port).start()
    print(f"mail-sink: SMTP {args.host}:{sink.smtp_port}, read them at {sink.http_url}/",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()

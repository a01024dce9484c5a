"""``driftdiff record``: a recording reverse proxy in front of a running service."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import typer

from drift_diff.cli._common import (
    CONFIG_DEFAULT,
    EXCLUDE_HELP,
    NO_DEFAULT_EXCLUDES_HELP,
    check_excludes,
    echo_err,
    excluder_for,
    load_config_option,
    positive,
)
from drift_diff.errors import UsageError, quoted


def _split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise UsageError(f"--listen must be HOST:PORT, got {quoted(listen)}") from None
    if not 0 <= number <= 65535:
        raise UsageError(f"--listen port must be 0-65535, got {number}")
    return host or "127.0.0.1", number


def register(app: typer.Typer) -> None:
    @app.command("record")
    def record(
        target: str = typer.Option(
            ..., help="URL of the running service, e.g. http://127.0.0.1:8000"
        ),
        listen: str = typer.Option("127.0.0.1:8080", help="HOST:PORT the proxy listens on"),
        out: str = typer.Option(".driftdiff/traces", help="folder for the recorded traces"),
        service: str = typer.Option("service", help="service name written in each exchange"),
        no_redact: bool = typer.Option(False, "--no-redact", help="keep secrets (not advised)"),
        max_body: int = typer.Option(1 << 20, min=0, help="bytes of each body kept in the trace"),
        idle_timeout: float = typer.Option(
            30.0, help="seconds a client connection may stay silent (reading or writing)"
        ),
        request_timeout: float = typer.Option(
            300.0, help="seconds a client may take to send one whole request"
        ),
        max_connections: int = typer.Option(
            64, help="client connections served at once (the rest get 503)"
        ),
        exclude: list[str] = typer.Option([], "--exclude", help=EXCLUDE_HELP),
        no_default_excludes: bool = typer.Option(
            False, "--no-default-excludes", help=NO_DEFAULT_EXCLUDES_HELP
        ),
        config_file: Path | None = typer.Option(
            None, "--config", help=f"driftdiff.yaml (its `exclude:` patterns; {CONFIG_DEFAULT})."
        ),
    ) -> None:
        """Record traffic through a reverse proxy (any language); stop with Ctrl-C or SIGTERM.

        Point clients (or a load generator) at --listen; every request is forwarded to --target
        and recorded, redacted, into --out. Outbound calls of the service are not visible from
        outside: use the SDK middleware where replay needs recorded dependencies.
        """
        from drift_diff.traffic.proxy import RecordingProxy

        host, port = _split_listen(listen)
        patterns = check_excludes(exclude)
        positive("--idle-timeout", idle_timeout)
        positive("--request-timeout", request_timeout)
        positive("--max-connections", max_connections)
        if Path(out).exists() and not Path(out).is_dir():
            raise UsageError(f"--out must be a folder, but {out} is a file")
        excluder = excluder_for(load_config_option(config_file), patterns, no_default_excludes)
        proxy = RecordingProxy(
            target,
            out_dir=out,
            service=service,
            host=host,
            port=port,
            max_body=max_body,
            redact=not no_redact,
            idle_timeout=idle_timeout,
            request_timeout=request_timeout,
            max_connections=max_connections,
            excluder=excluder,
        )
        bound_host, bound_port = proxy.address
        echo_err(
            f"recording http://{bound_host}:{bound_port} -> {target} into {out} (Ctrl-C stops)"
        )
        stop = threading.Event()

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, _on_signal)
        server = threading.Thread(target=proxy.serve_forever, daemon=True)
        server.start()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            proxy.close()
        stats = proxy.stats
        notes = [
            f"{count} {what}"
            for count, what in (
                (stats.excluded, "requests not recorded (exclude patterns)"),
                (stats.upstream_errors, "requests failed to reach the target"),
                (stats.bad_requests, "malformed requests refused"),
                (stats.timeouts, "connections timed out"),
                (stats.refused, "connections refused over --max-connections"),
                (stats.internal_errors, "connections dropped on an internal error"),
            )
            if count
        ]
        echo_err("; ".join([f"recorded {stats.recorded} exchanges into {out}", *notes]))

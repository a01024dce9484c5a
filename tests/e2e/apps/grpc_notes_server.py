"""The gRPC ``notes.Notes`` server of ``grpc_notes`` as its own process (a grpcio server):
``python -m tests.e2e.apps.grpc_notes_server PORT`` serves on 127.0.0.1:PORT until stopped."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import grpc

from tests.e2e.apps.grpc_notes import notes_servicer


def main(port: int) -> None:
    server = grpc.server(ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((notes_servicer(),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    main(int(sys.argv[1]))

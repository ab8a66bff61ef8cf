"""`specrun ui`: open the spec, build the app, serve it with uvicorn."""

from __future__ import annotations

import ipaddress
import sys
from typing import Optional, Sequence


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(spec: str, host: str, port: int, read_only: bool, var: Sequence[str] = (),
          vars_file: Optional[str] = None) -> None:
    """Serve the UI of `spec` until interrupted."""
    import uvicorn

    from .app import create_app
    from .service import Service

    service = Service(spec, var, vars_file)
    service.states()  # the first page is served from warm states
    loopback = is_loopback(host)
    if not loopback:
        print(f"warning: listening on {host}, not on a loopback address: anyone who can reach this "
              "machine can see the pipeline" + ("" if read_only else " and start runs (consider --read-only)"),
              file=sys.stderr)
    app = create_app(service, read_only=read_only, loopback=loopback)
    shown = f"[{host}]" if ":" in host else host
    print(f"specrun ui: {service.compiled.name} on http://{shown}:{port}/"
          + (" (read-only)" if read_only else "") + " — Ctrl-C stops", file=sys.stderr)
    # open event streams (live pages) must not keep a stopping server waiting
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)

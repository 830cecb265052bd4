"""Plain services behind the HTTP routers; the CLI and tests call them directly."""

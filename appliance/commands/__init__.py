"""One module per `appliance` sub-command.

Each module defines ``register(subparsers)``, which adds its parser and sets ``func`` to a handler
taking the parsed arguments and returning an exit code. The command line finds the modules here by
itself, so adding a command never touches :mod:`appliance.cli`. Handlers import heavy modules
(audio engines, models) inside the function so that `appliance --help` stays instant.
"""

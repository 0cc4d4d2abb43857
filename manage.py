#!/usr/bin/env python
import os
import sys


def one_line_errors():
    """Bad arguments to any command end like a CommandError: one line on stderr and exit code 1
    (argparse would print the usage and exit with 2)."""
    from django.core.management.base import CommandParser

    inner = CommandParser.error

    def error(parser, message):
        if parser.called_from_command_line:
            sys.stderr.write(f"{parser.prog}: error: {message}\n")
            sys.exit(1)
        inner(parser, message)

    CommandParser.error = error


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    from django.core.management import execute_from_command_line

    one_line_errors()
    execute_from_command_line(sys.argv)

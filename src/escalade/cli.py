"""The `escalade` console script: the project's manage.py."""

import sys

from django.core.management import execute_from_command_line

from escalade.config.startup import setup


def main() -> None:
    setup()  # Django set up, its objects frozen (config/startup.py)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

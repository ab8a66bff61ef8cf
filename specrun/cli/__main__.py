"""`python -m specrun.cli`: the `specrun` command."""

from specrun.cli import main

if __name__ == "__main__":
    main()

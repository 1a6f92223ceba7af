"""``python -m zhaoshang``: the ``zhaoshang`` command, the same CLI as the console script."""

from zhaoshang.interfaces.cli import main

if __name__ == "__main__":
    main()

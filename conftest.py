"""The example runner (tests/examples/plugin.py) collects the Python blocks of content/**/*.md."""

pytest_plugins = ["tests.examples.plugin", "pytester"]

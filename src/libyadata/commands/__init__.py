"""One module per CLI verb; ``libyadata.cli`` discovers them.

A verb module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``, and imports heavy modules inside ``run`` only.
"""

"""Ready-made circuits built from ngclab components (each a module with a ``build`` function)."""

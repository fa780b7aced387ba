"""One module per ``stability`` command; ``stability.cli`` registers them."""

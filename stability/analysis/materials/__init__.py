"""Materials by name: the catalogue, anion classes, named sets, and reading a material onto a hull."""

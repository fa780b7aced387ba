"""Cells: layer stacks, pouch-cell energy density and interlayer searches."""

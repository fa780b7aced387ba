"""Interfacial reactions of two materials, closed or with the working ion open."""

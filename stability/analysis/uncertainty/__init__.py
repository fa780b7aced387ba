"""How far to trust a number: MP2020 correction spread (``mp2020``) and release sensitivity."""

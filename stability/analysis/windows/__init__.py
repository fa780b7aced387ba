"""Electrochemical windows: intrinsic, practical (tolerance, passivation), profiles, decomposition."""

"""Screens over catalogues and classes, release comparisons and the review's figure data."""

"""Signed XML exchange with partner countries' authorities."""

"""Printable forms and letters: rendered with WeasyPrint per case version, stored, re-served."""
